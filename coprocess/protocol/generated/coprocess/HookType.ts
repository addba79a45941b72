// Original file: proto/coprocess_common.proto

/**
 * Which hook a Dispatch call is for.
 */
export const HookType = {
  Unknown: 'Unknown',
  Pre: 'Pre',
  Post: 'Post',
  PostKeyAuth: 'PostKeyAuth',
  CustomKeyCheck: 'CustomKeyCheck',
  Response: 'Response',
} as const;

/**
 * Which hook a Dispatch call is for.
 */
export type HookType =
  | 'Unknown'
  | 0
  | 'Pre'
  | 1
  | 'Post'
  | 2
  | 'PostKeyAuth'
  | 3
  | 'CustomKeyCheck'
  | 4
  | 'Response'
  | 5

/**
 * Which hook a Dispatch call is for.
 */
export type HookType__Output = typeof HookType[keyof typeof HookType]
