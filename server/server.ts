// Builds the Hapi server from a Config without listening, so tests can start it on a random port.
import { fileURLToPath } from 'node:url';
import Hapi from '@hapi/hapi';
import { createFhirEngine, migrate, openDatabase, type Database, type FhirEngine } from '../fhir/index.ts';
import type { Config } from './config.ts';
import { errorsPlugin } from './plugins/errors.ts';
import { healthPlugin } from './plugins/health.ts';
import { loggingPlugin } from './plugins/logging.ts';
import { fhirPlugin } from './plugins/fhir.ts';
import { securityHeadersPlugin } from './plugins/security-headers.ts';
import { rateLimitPlugin } from './plugins/rate-limit.ts';
import { clientAddressPlugin } from './plugins/client-address.ts';
import { authPlugin } from './plugins/auth.ts';
import { sessionRoutes } from './auth/routes.ts';
import { signupRoutes } from './auth/signup-routes.ts';
import { adminRoutes } from './auth/admin-routes.ts';
import { oauthRoutes } from './auth/oauth-routes.ts';
import { AuthService } from './auth/service.ts';
import { TokenIssuer, signingKey } from './auth/tokens.ts';
import { registerBootstrapClient } from './auth/clients.ts';
import { startPurging } from './auth/cleanup.ts';
import { AuditWriter } from './audit/writer.ts';
import { migrateAuditChain } from './audit/chain.ts';
import { startAuditSealer, type AuditSealer } from './audit/seal.ts';
import { createMailer, type Mailer } from './mail/transport.ts';
import { createOutbox } from './mail/outbox.ts';
import { outboxRoutes } from './mail/outbox-routes.ts';
import { mailMigrations, startReminders, type Reminders } from './mail/reminders.ts';
import { auditRoutes } from './audit/routes.ts';
import { BookingService } from './booking/service.ts';
import { bookingRoutes } from './booking/routes.ts';
import { mailBookingNotices } from './booking/notify.ts';
import { appointmentDocumentRoutes } from './booking/documents-routes.ts';
import { HOSPITAL_NAME } from './seed/organization.ts';
import { webPlugin } from './plugins/web.ts';
import { createPush, type Push } from './push/push.ts';
import { StudyIndex } from '../imaging/storage/study-index.ts';
import { FileBlobStore } from '../imaging/storage/blob-store.ts';
import { DicomStore } from '../imaging/ingest.ts';
import { dicomwebPlugin } from './plugins/dicomweb.ts';
import { StudyLinker } from './imaging/link.ts';
import { radiologyRoutes, setUpRadiology } from './radiology/routes.ts';
import { Signatures } from './signing/signatures.ts';
import { setUpEmr } from './emr/setup.ts';
import { emrRoutes } from './emr/routes.ts';
import { attachWardPush } from './emr/beds/ward-push.ts';
import { emrRecordRoutes } from './emr/record-routes.ts';
import { setUpSubscriptions } from './subscriptions/setup.ts';
import { setUpBulkExport } from './bulk/setup.ts';
import type { ExportRunner } from './bulk/runner.ts';
import { bulkRoutes } from './bulk/routes.ts';
import { attachSubscriptionSockets, SUBSCRIPTION_SOCKET_PATH } from './subscriptions/websocket.ts';
import { parseTypeFilter } from '../fhir/bulk/type-filter.ts';
import type { SubscriptionDispatcher } from './subscriptions/dispatcher.ts';
import { setUpExchange, type ExchangeSetup } from './exchange/setup.ts';
import { partnerRoutes } from './exchange/partners/routes.ts';
import { setUpRecordsIn } from './exchange/records-in/setup.ts';

export interface OpenHisServer {
  server: Hapi.Server;
  engine: FhirEngine;
  db: Database;
  auth: AuthService;
  audit: AuditWriter;
  sealer: AuditSealer;
  mailer: Mailer;
  booking: BookingService;
  /** The day-before booking reminders (a pass at start, then every 15 minutes). */
  reminders: Reminders;
  /** Live availability (Socket.io `/booking`): the booking core sets its provider and reports changes. */
  push: Push;
  /** DICOM storage and its study index (DICOMweb under /dicomweb). */
  imaging: { store: DicomStore; index: StudyIndex };
  /** Rest-hook Subscriptions: delivers notifications after commit (`idle()` waits for what is due). */
  subscriptions: SubscriptionDispatcher;
  /** Bulk Data $export jobs running in this process. */
  bulkExport: ExportRunner;
  /** Exchange with other organisations: the partner registry (server/exchange/). */
  exchange: ExchangeSetup;
  /** Stops accepting requests, drains those in flight and background work, then closes the database it opened. */
  stop(timeoutMs?: number): Promise<void>;
}

const authMigrations = { directory: fileURLToPath(new URL('./auth/migrations/', import.meta.url)), namespace: 'auth' };

/** Rate limits of the endpoints attackers hammer (per client address, per process). */
const rateLimits = [
  { id: 'login', limit: 20, windowMs: 60_000 },
  { id: 'refresh', limit: 120, windowMs: 60_000 },
  { id: 'one-time-code', limit: 5, windowMs: 10 * 60_000 },
  { id: 'sign-up', limit: 10, windowMs: 10 * 60_000 },
  { id: 'token', limit: 120, windowMs: 60_000 },
];

/** CapabilityStatement.rest: SMART's OAuth endpoints, and where Subscription websockets connect. */
function capabilityRest(baseUrl: string) {
  const root = baseUrl.replace(/\/fhir$/, '');
  return {
    security: smartSecurity(baseUrl),
    // http://hl7.org/fhir/R4/extension-capabilitystatement-websocket.html
    extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/capabilitystatement-websocket', valueUri: `${root.replace(/^http/, 'ws')}${SUBSCRIPTION_SOCKET_PATH}` }],
  };
}

/**
 * SMART App Launch: the CapabilityStatement names the OAuth endpoints
 * (http://hl7.org/fhir/smart-app-launch/conformance.html, the oauth-uris extension) next to
 * /.well-known/smart-configuration.
 */
function smartSecurity(baseUrl: string) {
  const root = baseUrl.replace(/\/fhir$/, '');
  return {
    cors: false,
    service: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'SMART-on-FHIR' }], text: 'OAuth 2.0 / SMART on FHIR' }],
    extension: [{
      url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris',
      extension: [
        { url: 'authorize', valueUri: `${root}/oauth2/authorize` },
        { url: 'token', valueUri: `${root}/oauth2/token` },
        { url: 'revoke', valueUri: `${root}/oauth2/revoke` },
      ],
    }],
  };
}

export async function createServer(config: Readonly<Config>, options: { db?: Database } = {}): Promise<OpenHisServer> {
  const db = options.db ?? await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  let attachedPush: Push | undefined;
  try {
    const engine = await createFhirEngine({ db, timezone: config.timezone, capabilityRest });
    await migrate(db, authMigrations);
    await migrate(db, mailMigrations);
    await migrateAuditChain(db);
    const https = config.publicUrl?.startsWith('https://') ?? false;
    const server = Hapi.server({
      port: config.port,
      host: config.host,
      router: { stripTrailingSlash: true },
      routes: {
        response: { emptyStatusCode: 200 },
        // Strict CORS: only the origins configured; the web app is served from the same origin.
        cors: config.corsOrigins.length > 0 ? { origin: config.corsOrigins, credentials: true, additionalHeaders: ['x-requested-with', 'prefer', 'if-match', 'if-none-exist'] } : false,
      },
    });
    // Longer than the idle timeouts of clients and proxies, so that the server never closes a kept-alive
    // connection just as a client sends on it (which the client sees as a reset).
    server.listener.keepAliveTimeout = 65_000;
    server.listener.headersTimeout = 66_000;
    await server.register(loggingPlugin(config.logLevel));
    // Attached before the listener starts; it fails the start when REDIS_URL is set but unreachable.
    const push = await createPush(server.listener, {
      log: server.logger, corsOrigins: config.corsOrigins, publicUrl: config.publicUrl,
      redisUrl: config.redisUrl, redisChannelPrefix: config.redisChannelPrefix, coalesceMs: config.pushCoalesceMs,
    });
    // hapi does not close what is attached to its listener; stop() also awaits this before the database closes.
    attachedPush = push;
    server.events.on('stop', () => void push.close());
    const audit = new AuditWriter(engine.repo, { log: server.logger });
    // Batches of 1,000 keep PGlite's one connection free for requests while sealing.
    const sealer = startAuditSealer(db, { log: server.logger, batchSize: 1000 });
    const tokens = new TokenIssuer(await signingKey(db, config.tokenSecret), config.publicUrl ?? 'open-his', config.accessTokenSeconds);
    const auth = new AuthService(db, tokens, {
      accessTokenSeconds: config.accessTokenSeconds,
      staffSessionSeconds: Math.round(config.staffSessionHours * 3600),
      patientSessionSeconds: Math.round(config.patientSessionDays * 86_400),
      maxFailedLogins: config.loginMaxFailures,
      lockSeconds: Math.round(config.loginLockMinutes * 60),
      refreshGraceSeconds: config.refreshGraceSeconds,
    });
    if (config.bootstrapClient) await registerBootstrapClient(db, config.bootstrapClient);
    const purging = startPurging(db, { log: server.logger });
    // Without an SMTP server mail is kept, not dropped: administrators read it at /dev/outbox.
    const outbox = config.smtpUrl ? undefined : createOutbox(config.mailOutboxDir);
    const mailer = createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, outbox, log: server.logger });
    const booking = await BookingService.create({ engine, db, timezone: config.timezone, log: server.logger });
    const studyIndex = await StudyIndex.open(db);
    const dicomStore = new DicomStore({ db, index: studyIndex, blobs: new FileBlobStore(config.dicomDir), log: server.logger });
    const studyLinker = new StudyLinker({
      engine, index: studyIndex, timezone: config.timezone, log: server.logger,
      dicomwebUrl: () => `${config.publicUrl ?? server.info.uri}/dicomweb`,
    });
    dicomStore.onStudiesStored((uids) => studyLinker.link(uids));
    await setUpRadiology(db, engine);
    const signatures = await Signatures.open(db);
    const emr = await setUpEmr(db, engine, { timezone: config.timezone, signatures });
    const wardPush = attachWardPush(push.io, { auth, db, log: server.logger, coalesceMs: Math.min(config.pushCoalesceMs, 100) });
    emr.onBedsChanged((beds) => wardPush.bedsChanged(beds));
    const subscriptions = await setUpSubscriptions(db, engine, {
      log: server.logger, maxAttempts: config.subscriptionMaxAttempts, timeoutMs: config.subscriptionTimeoutMs,
      retryMs: config.subscriptionRetryMs, maxRetryMs: 600_000, pollMs: config.subscriptionPollMs,
      baseUrl: () => `${config.publicUrl ?? server.info.uri}/fhir`,
    });
    const parseFilter = (text: string) => parseTypeFilter(text, engine.registry, config.timezone);
    // Pings cross processes through the push's Redis adapter; one process has nobody else to tell.
    const subscriptionSockets = attachSubscriptionSockets(server.listener, { engine, auth, ...(config.redisUrl ? { io: push.io } : {}), log: server.logger });
    subscriptions.useWebsockets(subscriptionSockets);
    const bulk = await setUpBulkExport(db, {
      parseFilter, dir: config.exportDir, retentionMs: config.exportRetentionHours * 3_600_000, log: server.logger,
      fileUrl: (job, file) => `${config.publicUrl ?? server.info.uri}/fhir/$export-file/${job}/${file}`,
    });
    const exchange = await setUpExchange(db, engine);
    await setUpRecordsIn(db);

    await server.register({ plugin: clientAddressPlugin, options: { trustProxy: config.trustProxy } });
    await server.register(errorsPlugin);
    // After the errors plugin, so that the OperationOutcome answers it builds get the headers too.
    await server.register({ plugin: securityHeadersPlugin, options: { https } });
    await server.register({ plugin: rateLimitPlugin, options: { rules: rateLimits } });
    await server.register({ plugin: authPlugin, options: { service: auth, audit } });
    await server.register({ plugin: healthPlugin, options: { db } });
    await server.register({ plugin: sessionRoutes, options: { service: auth, audit, https } });
    await server.register({ plugin: signupRoutes, options: { service: auth, engine, mailer, audit } });
    await server.register({ plugin: adminRoutes, options: { service: auth, audit } });
    await server.register({ plugin: auditRoutes, options: { db } });
    if (outbox) await server.register({ plugin: outboxRoutes, options: { outbox } });
    await server.register({ plugin: oauthRoutes, options: { service: auth, db, audit, publicUrl: config.publicUrl } });
    await server.register({ plugin: bookingRoutes, options: { booking } });
    await server.register({
      plugin: appointmentDocumentRoutes,
      options: { engine, audit, booking, accounts: auth.accounts, organizer: config.mailFrom, hospitalName: HOSPITAL_NAME },
    });
    await server.register({
      plugin: dicomwebPlugin,
      options: { store: dicomStore, index: studyIndex, audit, maxUploadBytes: config.dicomMaxUploadBytes, publicUrl: config.publicUrl },
    });
    await server.register({ plugin: radiologyRoutes, options: { engine, db, audit, signatures, timezone: config.timezone } });
    await server.register({ plugin: emrRoutes, options: { engine, db, audit, calendar: emr.calendar } });
    await server.register({ plugin: emrRecordRoutes, options: { engine, db, audit, signatures, calendar: emr.calendar } });
    await server.register({ plugin: bulkRoutes, options: { engine, jobs: bulk.jobs, runner: bulk.runner, audit, publicUrl: config.publicUrl, parseFilter } });
    await server.register({ plugin: partnerRoutes, options: { registry: exchange.partners, audit } });
    await server.register({ plugin: fhirPlugin, options: { engine, maxBodyBytes: config.maxBodyBytes, publicUrl: config.publicUrl, audit } });
    await server.register({ plugin: webPlugin, options: { dist: config.webDist, log: { warn: (message) => server.logger.warn(message) } } });
    const bookingMail = mailBookingNotices(booking, {
      repo: engine.repo, accounts: auth.accounts, mailer, log: server.logger, timeZone: config.timezone, organizer: config.mailFrom,
    });
    // Live availability: snapshots come from the booking projection; every committed change is pushed.
    push.setAvailabilityProvider((service, date) => booking.availabilityOf(service, date));
    booking.onAvailabilityChanged((service, date) => push.availabilityChanged(service, date));
    booking.start();
    await subscriptions.start();
    await bulk.runner.start();
    // Last: nothing after it can fail and leave its timer running.
    const reminders = startReminders({
      db, repo: engine.repo, accounts: auth.accounts, mailer, log: server.logger, timezone: config.timezone, organizer: config.mailFrom,
    });
    let stopped = false;
    return {
      server, engine, db, auth, audit, sealer, mailer, booking, reminders, push,
      imaging: { store: dicomStore, index: studyIndex },
      subscriptions,
      bulkExport: bulk.runner,
      exchange,
      async stop(timeoutMs = 10_000) {
        if (stopped) return;
        stopped = true;
        // Upgraded sockets are no longer hapi's requests: closed first, they do not hold up its stop.
        await subscriptionSockets.close();
        await server.stop({ timeout: timeoutMs });
        await wardPush.close();
        await push.close();
        purging.stop();
        await booking.stop();
        await subscriptions.stop();
        await bulk.runner.stop();
        await dicomStore.idle();
        await bookingMail.idle();
        await reminders.stop();
        await audit.close();
        await sealer.stop();
        mailer.close();
        await engine.idle();
        // Who opens closes: a database handed in by the caller (tests, tools) stays open for it.
        if (!options.db) await db.close();
      },
    };
  } catch (err) {
    await attachedPush?.close();
    if (!options.db) await db.close();
    throw err;
  }
}
