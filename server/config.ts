// The only place that reads process.env. Validated once at start-up; the frozen result is passed down.
import { resolve } from 'node:path';
import Joi from 'joi';

export interface Config {
  /** PORT — TCP port to listen on. Default 8080. */
  port: number;
  /** HOST — interface to bind. Default 127.0.0.1 (use 0.0.0.0 to serve the network). */
  host: string;
  /** DATABASE_URL — PostgreSQL server (postgres://…). Unset: embedded PGlite under DATA_DIR. */
  databaseUrl?: string;
  /** DATA_DIR — embedded database and stored files. Default ./data. */
  dataDir: string;
  /** SEED_DEMO — load the demo hospital into an empty database. Default true. */
  seedDemo: boolean;
  /** HIS_TIMEZONE — IANA zone for dates and times written without an offset. Default Asia/Shanghai. */
  timezone: string;
  /** LOG_LEVEL — pino level: fatal, error, warn, info, debug, trace, silent. Default info. */
  logLevel: string;
  /** PUBLIC_URL — the base URL clients see (behind a proxy). Default http://HOST:PORT. */
  publicUrl?: string;
  /** MAX_BODY_BYTES — largest accepted request body. Default 50 MiB (a big transaction Bundle). */
  maxBodyBytes: number;
}

const schema = Joi.object({
  PORT: Joi.number().integer().min(0).max(65535).default(8080),
  HOST: Joi.string().default('127.0.0.1'),
  DATABASE_URL: Joi.string().uri({ scheme: ['postgres', 'postgresql'] }).empty(''),
  DATA_DIR: Joi.string().default('./data'),
  SEED_DEMO: Joi.boolean().truthy('1', 'yes').falsy('0', 'no').default(true),
  HIS_TIMEZONE: Joi.string().default('Asia/Shanghai').custom((value: string) => {
    new Intl.DateTimeFormat('en', { timeZone: value }); // throws RangeError on an unknown zone
    return value;
  }),
  LOG_LEVEL: Joi.string().valid('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent').default('info'),
  PUBLIC_URL: Joi.string().uri({ scheme: ['http', 'https'] }).empty(''),
  MAX_BODY_BYTES: Joi.number().integer().min(1024).default(50 * 1024 * 1024),
}).unknown(true);

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Readonly<Config> {
  const { value, error } = schema.validate(env, { abortEarly: false, convert: true });
  if (error) throw new Error(`Invalid configuration: ${error.details.map((d) => d.message).join('; ')}`);
  return Object.freeze({
    port: value.PORT,
    host: value.HOST,
    databaseUrl: value.DATABASE_URL,
    dataDir: resolve(value.DATA_DIR),
    seedDemo: value.SEED_DEMO,
    timezone: value.HIS_TIMEZONE,
    logLevel: value.LOG_LEVEL,
    publicUrl: value.PUBLIC_URL?.replace(/\/$/, ''),
    maxBodyBytes: value.MAX_BODY_BYTES,
    ...overrides,
  });
}
