// The only place that reads process.env. Validated once at start-up; the frozen result is passed down.
import { join, resolve } from 'node:path';
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
  /**
   * HIS_TOKEN_SECRET — key for signing access tokens (at least 32 characters). Unset: a random key is
   * generated once and kept in the database, shared by every server process using it.
   */
  tokenSecret?: string;
  /** ACCESS_TOKEN_SECONDS — lifetime of an access token. Default 300 (5 minutes; refresh renews it). */
  accessTokenSeconds: number;
  /** STAFF_SESSION_HOURS — how long a staff log-in lasts without logging in again. Default 12 (a shift). */
  staffSessionHours: number;
  /** PATIENT_SESSION_DAYS — how long a patient stays logged in on their own device. Default 30. */
  patientSessionDays: number;
  /**
   * REFRESH_GRACE_SECONDS — a browser's previous refresh token still works this long after it was
   * rotated, so that two tabs refreshing at once do not log the user out; 0 turns it off. Default 10.
   */
  refreshGraceSeconds: number;
  /** LOGIN_MAX_FAILURES — failed log-ins in a row before the account locks. Default 5. */
  loginMaxFailures: number;
  /** LOGIN_LOCK_MINUTES — how long a locked account stays locked. Default 15. */
  loginLockMinutes: number;
  /**
   * HIS_BOOTSTRAP_CLIENT_ID / HIS_BOOTSTRAP_CLIENT_SECRET — a system client (scope system/*.*) for
   * scripts and integrations: POST /oauth2/token with grant_type=client_credentials. Unset: none.
   */
  bootstrapClient?: { id: string; secret: string };
  /** DEMO_PASSWORD — password of the demo accounts the demo seed creates. DEMO ONLY. Default open-his-demo. */
  demoPassword: string;
  /** SMTP_URL — mail server (smtp:// or smtps://) for one-time codes and confirmations. Unset: mail is not sent. */
  smtpUrl?: string;
  /** MAIL_FROM — sender of the hospital's mail. Default "Open HIS <no-reply@open-his.invalid>". */
  mailFrom: string;
  /**
   * MAIL_OUTBOX_DIR — with SMTP_URL unset, mail is kept here as .eml files (the newest 1,000), listed
   * for administrators at GET /dev/outbox. Default DATA_DIR/outbox.
   */
  mailOutboxDir: string;
  /** TRUST_PROXY — behind a reverse proxy: take the client's address from X-Forwarded-For (its last entry). Default false. */
  trustProxy: boolean;
  /** CORS_ORIGINS — comma-separated origins of other web apps allowed to call the API. Default none (same origin only). */
  corsOrigins: string[];
  /** WEB_DIST — the built web app to serve (npm run build:web). Default web/dist of the repository; missing: API only. */
  webDist?: string;
  /**
   * REDIS_URL — Redis (redis:// or rediss://) shared by several server processes, so that live
   * availability reaches the booking pages connected to any of them. Unset: one process, in memory.
   */
  redisUrl?: string;
  /** REDIS_CHANNEL_PREFIX — prefix of this deployment's Redis channels (distinct per deployment sharing a Redis). Default open-his. */
  redisChannelPrefix: string;
  /** PUSH_COALESCE_MS — changes of one department-day within this window go out as one live update. Default 200. */
  pushCoalesceMs: number;
  /** DICOM_DIR — where stored DICOM instances live (content-addressed files). Default DATA_DIR/dicom. */
  dicomDir: string;
  /** DICOM_MAX_UPLOAD_BYTES — largest STOW-RS request body. Default 1 GiB (send bigger studies in several requests). */
  dicomMaxUploadBytes: number;
  /** EXPORT_DIR — where Bulk Data export files are written until they expire. Default DATA_DIR/exports. */
  exportDir: string;
  /** EXPORT_RETENTION_HOURS — finished exports and their files are removed after this many hours. Default 24. */
  exportRetentionHours: number;
  /** SUBSCRIPTION_MAX_ATTEMPTS — failed notifications in a row after which a Subscription goes to `error`. Default 5. */
  subscriptionMaxAttempts: number;
  /** SUBSCRIPTION_TIMEOUT_MS — how long a subscriber's endpoint may take to answer a notification. Default 10000. */
  subscriptionTimeoutMs: number;
  /** SUBSCRIPTION_RETRY_MS — first retry delay after a failed notification; each next one doubles (at most 10 min). Default 2000. */
  subscriptionRetryMs: number;
  /** SUBSCRIPTION_POLL_MS — how often the queue is looked at without a write in this process (retries, heartbeats, other processes). Default 2000. */
  subscriptionPollMs: number;
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
  HIS_TOKEN_SECRET: Joi.string().min(32).empty(''),
  ACCESS_TOKEN_SECONDS: Joi.number().integer().min(30).max(86_400).default(300),
  STAFF_SESSION_HOURS: Joi.number().min(0.1).max(24 * 30).default(12),
  PATIENT_SESSION_DAYS: Joi.number().min(0.01).max(365).default(30),
  REFRESH_GRACE_SECONDS: Joi.number().integer().min(0).max(60).default(10),
  LOGIN_MAX_FAILURES: Joi.number().integer().min(1).max(100).default(5),
  LOGIN_LOCK_MINUTES: Joi.number().min(0.01).max(24 * 60).default(15),
  HIS_BOOTSTRAP_CLIENT_ID: Joi.string().pattern(/^[A-Za-z0-9._~-]{3,128}$/).empty(''),
  HIS_BOOTSTRAP_CLIENT_SECRET: Joi.string().min(16).max(512).empty(''),
  DEMO_PASSWORD: Joi.string().min(10).max(256).default('open-his-demo'),
  SMTP_URL: Joi.string().uri({ scheme: ['smtp', 'smtps'] }).empty(''),
  MAIL_FROM: Joi.string().max(256).default('Open HIS <no-reply@open-his.invalid>'),
  MAIL_OUTBOX_DIR: Joi.string().empty(''),
  CORS_ORIGINS: Joi.string().empty('').default(''),
  WEB_DIST: Joi.string().empty(''),
  TRUST_PROXY: Joi.boolean().truthy('1', 'yes').falsy('0', 'no').default(false),
  REDIS_URL: Joi.string().uri({ scheme: ['redis', 'rediss'] }).empty(''),
  REDIS_CHANNEL_PREFIX: Joi.string().pattern(/^[A-Za-z0-9._:-]{1,64}$/).default('open-his'),
  PUSH_COALESCE_MS: Joi.number().integer().min(0).max(60_000).default(200),
  DICOM_DIR: Joi.string().empty(''),
  DICOM_MAX_UPLOAD_BYTES: Joi.number().integer().min(1024).default(1024 * 1024 * 1024),
  EXPORT_DIR: Joi.string(),
  EXPORT_RETENTION_HOURS: Joi.number().min(0.01).max(24 * 365).default(24),
  SUBSCRIPTION_MAX_ATTEMPTS: Joi.number().integer().min(1).max(100).default(5),
  SUBSCRIPTION_TIMEOUT_MS: Joi.number().integer().min(100).max(300_000).default(10_000),
  SUBSCRIPTION_RETRY_MS: Joi.number().integer().min(10).max(600_000).default(2000),
  SUBSCRIPTION_POLL_MS: Joi.number().integer().min(50).max(600_000).default(2000),
}).and('HIS_BOOTSTRAP_CLIENT_ID', 'HIS_BOOTSTRAP_CLIENT_SECRET').unknown(true);

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
    tokenSecret: value.HIS_TOKEN_SECRET,
    accessTokenSeconds: value.ACCESS_TOKEN_SECONDS,
    staffSessionHours: value.STAFF_SESSION_HOURS,
    patientSessionDays: value.PATIENT_SESSION_DAYS,
    refreshGraceSeconds: value.REFRESH_GRACE_SECONDS,
    loginMaxFailures: value.LOGIN_MAX_FAILURES,
    loginLockMinutes: value.LOGIN_LOCK_MINUTES,
    bootstrapClient: value.HIS_BOOTSTRAP_CLIENT_ID ? { id: value.HIS_BOOTSTRAP_CLIENT_ID, secret: value.HIS_BOOTSTRAP_CLIENT_SECRET } : undefined,
    demoPassword: value.DEMO_PASSWORD,
    smtpUrl: value.SMTP_URL,
    mailFrom: value.MAIL_FROM,
    mailOutboxDir: resolve(value.MAIL_OUTBOX_DIR ?? join(value.DATA_DIR, 'outbox')),
    trustProxy: value.TRUST_PROXY,
    webDist: value.WEB_DIST ? resolve(value.WEB_DIST) : undefined,
    corsOrigins: (value.CORS_ORIGINS as string).split(',').map((o) => o.trim().replace(/\/$/, '')).filter(Boolean),
    redisUrl: value.REDIS_URL,
    redisChannelPrefix: value.REDIS_CHANNEL_PREFIX,
    pushCoalesceMs: value.PUSH_COALESCE_MS,
    dicomDir: resolve(value.DICOM_DIR ?? join(value.DATA_DIR, 'dicom')),
    dicomMaxUploadBytes: value.DICOM_MAX_UPLOAD_BYTES,
    exportDir: resolve(value.EXPORT_DIR ?? join(value.DATA_DIR, 'exports')),
    exportRetentionHours: value.EXPORT_RETENTION_HOURS,
    subscriptionMaxAttempts: value.SUBSCRIPTION_MAX_ATTEMPTS,
    subscriptionTimeoutMs: value.SUBSCRIPTION_TIMEOUT_MS,
    subscriptionRetryMs: value.SUBSCRIPTION_RETRY_MS,
    subscriptionPollMs: value.SUBSCRIPTION_POLL_MS,
    ...overrides,
  });
}
