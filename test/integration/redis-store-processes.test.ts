import { after, describe } from 'node:test';
import { requireProgram } from '../helpers/programs.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { crossProcessContract } from '../helpers/store-processes.js';

describe('RedisStore shared by separate gateway processes', () => {
  let redis: RedisServer | undefined;
  after(async () => {
    await redis?.stop();
  });
  crossProcessContract(async (t) => {
    if (!requireProgram(t, 'redis-server', 'apt-get install redis-server')) return undefined;
    redis ??= await startRedis();
    return { kind: 'redis', host: '127.0.0.1', port: redis.port, username: '', password: '', database: 0, commandTimeoutMs: 2000 };
  });
});
