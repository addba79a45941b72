// Original file: proto/coprocess_session_state.proto

import type { AccessDefinition as _coprocess_AccessDefinition, AccessDefinition__Output as _coprocess_AccessDefinition__Output } from '../coprocess/AccessDefinition.js';
import type { BasicAuthData as _coprocess_BasicAuthData, BasicAuthData__Output as _coprocess_BasicAuthData__Output } from '../coprocess/BasicAuthData.js';
import type { JWTData as _coprocess_JWTData, JWTData__Output as _coprocess_JWTData__Output } from '../coprocess/JWTData.js';
import type { Monitor as _coprocess_Monitor, Monitor__Output as _coprocess_Monitor__Output } from '../coprocess/Monitor.js';
import type { Long } from '@grpc/proto-loader';

export interface SessionState {
  'last_check'?: (number | string | Long);
  'allowance'?: (number | string);
  'rate'?: (number | string);
  'per'?: (number | string);
  'expires'?: (number | string | Long);
  'quota_max'?: (number | string | Long);
  'quota_renews'?: (number | string | Long);
  'quota_remaining'?: (number | string | Long);
  'quota_renewal_rate'?: (number | string | Long);
  'access_rights'?: ({[key: string]: _coprocess_AccessDefinition});
  'org_id'?: (string);
  'oauth_client_id'?: (string);
  'oauth_keys'?: ({[key: string]: string});
  'basic_auth_data'?: (_coprocess_BasicAuthData | null);
  'jwt_data'?: (_coprocess_JWTData | null);
  'hmac_enabled'?: (boolean);
  'hmac_secret'?: (string);
  'is_inactive'?: (boolean);
  'apply_policy_id'?: (string);
  'data_expires'?: (number | string | Long);
  'monitor'?: (_coprocess_Monitor | null);
  'enable_detailed_recording'?: (boolean);
  'metadata'?: ({[key: string]: string});
  'tags'?: (string)[];
  'alias'?: (string);
  'last_updated'?: (string);
  'id_extractor_deadline'?: (number | string | Long);
  /**
   * Used by Tyk as a lifetime in seconds (a Redis TTL), not a timestamp.
   */
  'session_lifetime'?: (number | string | Long);
  'apply_policies'?: (string)[];
  'certificate'?: (string);
  'max_query_depth'?: (number | string | Long);
  'key_id'?: (string);
  'post_expiry_action'?: (string);
  'post_expiry_grace_period'?: (number | string | Long);
}

export interface SessionState__Output {
  'last_check': (number);
  'allowance': (number);
  'rate': (number);
  'per': (number);
  'expires': (number);
  'quota_max': (number);
  'quota_renews': (number);
  'quota_remaining': (number);
  'quota_renewal_rate': (number);
  'access_rights': ({[key: string]: _coprocess_AccessDefinition__Output});
  'org_id': (string);
  'oauth_client_id': (string);
  'oauth_keys': ({[key: string]: string});
  'basic_auth_data': (_coprocess_BasicAuthData__Output | null);
  'jwt_data': (_coprocess_JWTData__Output | null);
  'hmac_enabled': (boolean);
  'hmac_secret': (string);
  'is_inactive': (boolean);
  'apply_policy_id': (string);
  'data_expires': (number);
  'monitor': (_coprocess_Monitor__Output | null);
  'enable_detailed_recording': (boolean);
  'metadata': ({[key: string]: string});
  'tags': (string)[];
  'alias': (string);
  'last_updated': (string);
  'id_extractor_deadline': (number);
  /**
   * Used by Tyk as a lifetime in seconds (a Redis TTL), not a timestamp.
   */
  'session_lifetime': (number);
  'apply_policies': (string)[];
  'certificate': (string);
  'max_query_depth': (number);
  'key_id': (string);
  'post_expiry_action': (string);
  'post_expiry_grace_period': (number);
}
