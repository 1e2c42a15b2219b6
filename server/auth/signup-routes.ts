// Patient accounts for the portal and online booking. Sign-up proves an e-mail address with a
// one-time code and ties the account to the Patient of a checked identity document (实名制 real-name
// registration: one document, one account); the account then links family members — children,
// elderly parents — whose records it may see (proxies, read into the `patients` of its next token).
import { randomUUID } from 'node:crypto';
import type { Lifecycle, Plugin, Request, ResponseToolkit, ServerRoute } from '@hapi/hapi';
import Boom from '@hapi/boom';
import Joi from 'joi';
import type { FhirEngine } from '../../fhir/index.ts';
import type { AuthService, IssuedTokens } from './service.ts';
import { normalizeLogin, type Account } from './accounts.ts';
import { authError } from './errors.ts';
import { hashPassword, passwordProblem } from './password.ts';
import { OneTimeCodes, codeLifetimeSeconds, resendIntervalSeconds } from './one-time-codes.ts';
import { sessionAnswer } from './routes.ts';
import type { Mailer, MailMessage } from '../mail/transport.ts';
import { oneTimeCodeMail, type MailLocale } from '../mail/templates.ts';
import type { AuditWriter } from '../audit/writer.ts';
import { accessChangeEvent, authenticationEvent } from '../audit/event.ts';
import { callerOf, originOf } from '../plugins/auth.ts';
import { IDENTITY_DOCUMENT_TYPES } from '../identity/identity-document.ts';
import { checkIdentity, findOrCreatePatient, findPatient, type CheckedIdentity, type IdentityInput } from '../identity/real-name.ts';

export interface SignupRoutesOptions {
  service: AuthService;
  engine: FhirEngine;
  mailer: Mailer;
  audit: AuditWriter;
}

interface SignUpBody extends IdentityInput { email: string; code: string; password: string; phone?: string; locale: MailLocale }
interface ProxyBody extends IdentityInput { relationship: 'child' | 'parent' | 'spouse' | 'other' }

/** Errors whose codes the shared list in errors.ts lacks, in the same shape as authError's. */
function routeError(status: number, code: string, message: string, headers: Record<string, string> = {}): Boom.Boom {
  const err = new Boom.Boom(message, { statusCode: status });
  (err.output.payload as unknown as Record<string, unknown>).code = code;
  Object.assign(err.output.headers, headers);
  return err;
}

// Joi's own message, with the stable code clients match on (Hapi's default answer hides both).
const invalidInput: Lifecycle.Method = (_request, _h, err) => {
  throw authError('invalid-request', err?.message ?? 'The request is not valid');
};

const birthDate = Joi.string().pattern(/^\d{4}-\d{2}-\d{2}$/).custom((value: string, helpers) => {
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value) && date.getTime() <= Date.now() ? value : helpers.error('any.invalid');
}, 'a real calendar date, not in the future');

const identityFields = {
  name: Joi.string().trim().min(1).max(100).required(),
  documentType: Joi.string().valid(...IDENTITY_DOCUMENT_TYPES).required(),
  documentNumber: Joi.string().max(64).required(),
  issuingCountry: Joi.string().uppercase().pattern(/^[A-Z]{3}$/)
    .when('documentType', { is: 'passport', then: Joi.required(), otherwise: Joi.forbidden() }),
  // A resident ID number carries the birth date (GB 11643); the other documents' numbers do not.
  birthDate: birthDate.when('documentType', { is: 'resident-id', otherwise: Joi.required() }),
  gender: Joi.string().valid('male', 'female', 'other', 'unknown'),
};
const email = Joi.string().trim().email({ tlds: false }).max(254);
const phone = Joi.string().trim().pattern(/^\+?[\d\s-]{6,20}$/);
const locale = Joi.string().valid('zh-CN', 'en').default('zh-CN');

const accountExistsWording: Record<MailLocale, { subject: string; lines: string[] }> = {
  'zh-CN': {
    subject: '【Open HIS】注册提醒',
    lines: ['有人（可能是您本人）尝试用此邮箱注册 Open HIS，但此邮箱已有账号，请直接登录。', '如果这不是您本人的操作，请忽略本邮件，您的账号不会有任何变化。', '此邮件由系统自动发送，请勿回复。'],
  },
  en: {
    subject: 'Open HIS sign-up attempt',
    lines: ['Someone, probably you, tried to sign up for Open HIS with this e-mail address, which already has an account: you can log in with it.',
      'If this was not you, ignore this e-mail: nothing changes on your account.', 'This e-mail was sent automatically; replies are not read.'],
  },
};

const codeRefusals = {
  wrong: 'The code is wrong',
  used: 'This code was used already: ask for a new one',
  exhausted: 'Too many wrong codes: ask for a new one',
  none: 'No code was sent to this address, or a newer one replaced it',
} as const;

export const signupRoutes: Plugin<SignupRoutesOptions> = {
  name: 'open-his-signup-routes',
  // The refresh cookie is declared by the session routes; the rate-limit rules and callers come from these plugins.
  dependencies: ['open-his-session-routes', 'open-his-rate-limit', 'open-his-auth'],
  register(server, options) {
    const { service, engine, mailer, audit } = options;
    const codes = new OneTimeCodes(engine.db);

    const useCode = async (destination: string, code: string): Promise<void> => {
      const verdict = await codes.verify(destination, 'sign-up', code);
      if (verdict === 'expired') throw authError('code-expired', 'The code has expired: ask for a new one');
      if (verdict !== 'ok') throw authError('code-invalid', codeRefusals[verdict]);
    };

    /**
     * Writes the account, then the Patient (when there is none yet), undoing the first when the
     * second fails. The engine keeps its transactions to itself (Repository.transaction hands out no
     * Queryable), so the two cannot share one: the account row goes first because the unique index
     * on its document is what decides a race between two sign-ups, and deleting it is a plain DELETE
     * of a row nothing refers to yet, whereas a FHIR delete would leave the Patient in its history.
     */
    const createAccount = async (body: SignUpBody, login: string, identity: CheckedIdentity): Promise<Account> => {
      const taken = await service.accounts.byDocument(identity.accountDocument.type, identity.accountDocument.number);
      if (taken) throw authError('duplicate', 'An account with this identity document already exists');
      const existing = await findPatient(engine.repo, identity);
      if (existing && await service.accounts.byPatient(existing)) throw authError('duplicate', 'This patient has an account already');
      const account = await service.accounts.create({
        kind: 'patient', email: login, passwordHash: await hashPassword(body.password), roles: ['patient'], displayName: identity.name,
        patientId: existing ?? randomUUID(), documentType: identity.accountDocument.type, documentNumber: identity.accountDocument.number,
      });
      if (existing) return account;
      try {
        const telecom = [{ system: 'email' as const, value: login }, ...(body.phone ? [{ system: 'phone' as const, value: normalizeLogin(body.phone) }] : [])];
        const patient = await findOrCreatePatient(engine.repo, identity, account.patientId!, telecom);
        if (patient.id === account.patientId) return account;
        // Someone registered this document at the same moment: the account joins that record.
        await service.accounts.setPatient(account.id, patient.id);
        return { ...account, patientId: patient.id };
      } catch (err) {
        await service.accounts.remove(account.id);
        throw err;
      }
    };

    const respond = async (h: ResponseToolkit, account: Account, tokens: IssuedTokens) => (await sessionAnswer(h, service, account, tokens)).code(201);

    /** The patient account of the caller; staff, system clients and apps acting for a patient get 403. */
    const patientAccount = async (request: Request): Promise<Account> => {
      const caller = callerOf(request);
      if (caller.kind !== 'patient') throw authError('forbidden', 'Only patient accounts link family members');
      if (caller.scope !== undefined) throw authError('forbidden', 'Apps cannot change whose records an account may see');
      const account = await service.accounts.byId(caller.accountId);
      if (!account) throw authError('unauthenticated', 'The account no longer exists');
      return account;
    };

    const displayName = async (patientId: string): Promise<string | undefined> => {
      try {
        const names = (JSON.parse((await engine.repo.read('Patient', patientId)).json ?? '{}') as { name?: { text?: string; family?: string; given?: string[] }[] }).name;
        const first = names?.[0];
        return first ? first.text ?? [first.family ?? '', ...(first.given ?? [])].join('') : undefined;
      } catch {
        return undefined;
      }
    };

    const routes: ServerRoute[] = [
      {
        method: 'POST', path: '/auth/signup/code',
        options: {
          plugins: { public: true, rateLimit: 'one-time-code' },
          validate: { payload: Joi.object({ email, phone, locale }).xor('email', 'phone'), failAction: invalidInput },
          async handler(request, h) {
            const body = request.payload as { email?: string; phone?: string; locale: MailLocale };
            const destination = normalizeLogin(body.email ?? body.phone!);
            const issued = await codes.issue(destination, 'sign-up');
            if (!issued.ok) {
              throw routeError(429, 'code-throttled', `A code was sent to this address moments ago: ask again in ${issued.retryAfterSeconds} seconds`,
                { 'retry-after': String(issued.retryAfterSeconds) });
            }
            if (body.phone !== undefined) {
              throw routeError(501, 'sms-unavailable', 'This server cannot send text messages (no SMS gateway is configured): sign up with an e-mail address');
            }
            // The answer is the same whether or not the address has an account (no account
            // enumeration); its owner learns by mail that it has one instead of getting a code.
            let message: MailMessage;
            if (await service.accounts.byLogin(destination)) {
              const words = accountExistsWording[body.locale];
              message = { to: destination, subject: words.subject, text: `${words.lines.join('\n\n')}\n` };
            } else {
              message = { to: destination, ...oneTimeCodeMail({ code: issued.code, purpose: 'sign-up', locale: body.locale, minutesValid: codeLifetimeSeconds / 60 }) };
            }
            try {
              await mailer.send(message);
            } catch (err) {
              await codes.withdraw(issued.id);
              request.log(['error', 'mail'], (err as Error).message);
              throw routeError(503, 'mail-unavailable', 'The e-mail could not be sent: try again later');
            }
            return h.response({ sent: true, expiresIn: codeLifetimeSeconds, resendAfter: resendIntervalSeconds }).code(202);
          },
        },
      },
      {
        method: 'POST', path: '/auth/signup',
        options: {
          plugins: { public: true, rateLimit: 'sign-up' },
          validate: {
            payload: Joi.object({
              email: email.required(), code: Joi.string().trim().pattern(/^\d{6}$/).required(), password: Joi.string().max(1024).required(),
              phone, locale, ...identityFields,
            }),
            failAction: invalidInput,
          },
          async handler(request, h) {
            const body = request.payload as SignUpBody;
            const login = normalizeLogin(body.email);
            try {
              // Checks that need nothing secret come first, so a typing error does not use up the code.
              const check = checkIdentity(body);
              if (!check.ok) throw authError('invalid-document', check.reason);
              const problem = passwordProblem(body.password, [login, body.phone ?? '', check.identity.number]);
              if (problem) throw authError('weak-password', problem);
              await useCode(login, body.code);
              const account = await createAccount(body, login, check.identity);
              const tokens = await service.startSession(account);
              audit.defer(authenticationEvent({
                kind: 'login', success: true, origin: originOf(request), reason: 'Signed up: new patient account after the real-name check',
                caller: { kind: 'patient', accountId: account.id, login, roles: account.roles, fhirUser: `Patient/${account.patientId}` },
              }));
              return respond(h, account, tokens);
            } catch (err) {
              audit.defer(authenticationEvent({
                kind: 'login', success: false, origin: originOf(request), caller: { kind: 'anonymous' },
                reason: `Sign-up as ${login} refused: ${(err as Error).message}`,
              }));
              throw err;
            }
          },
        },
      },
      {
        method: 'GET', path: '/auth/proxies',
        async handler(request) {
          const account = await patientAccount(request);
          const linked = [];
          for (const proxy of await service.accounts.proxies(account.id)) {
            linked.push({ patientId: proxy.patientId, relationship: proxy.relationship, name: await displayName(proxy.patientId) });
          }
          return linked;
        },
      },
      {
        method: 'POST', path: '/auth/proxies',
        options: {
          // Each link is a real-name lookup: limited like sign-ups, so it is no oracle for names and ID numbers.
          plugins: { rateLimit: 'sign-up' },
          validate: { payload: Joi.object({ ...identityFields, relationship: Joi.string().valid('child', 'parent', 'spouse', 'other').required() }), failAction: invalidInput },
          async handler(request, h) {
            const account = await patientAccount(request);
            const body = request.payload as ProxyBody;
            const check = checkIdentity(body);
            if (!check.ok) throw authError('invalid-document', check.reason);
            const identity = check.identity;
            const existing = await findPatient(engine.repo, identity);
            const own = account.documentType === identity.accountDocument.type && account.documentNumber === identity.accountDocument.number;
            if (own || (existing !== null && existing === account.patientId)) throw authError('invalid-request', 'This is your own record: your account has it already');
            // As at sign-up, the link goes first and the new Patient last, and the link is undone if the Patient cannot be written.
            const planned = existing ?? randomUUID();
            await service.accounts.addProxy(account.id, planned, body.relationship);
            let patientId = planned;
            if (!existing) {
              try {
                patientId = (await findOrCreatePatient(engine.repo, identity, planned)).id;
              } catch (err) {
                await service.accounts.removeProxy(account.id, planned);
                throw err;
              }
              if (patientId !== planned) {
                // Someone registered this document at the same moment: the link moves to that record.
                await service.accounts.addProxy(account.id, patientId, body.relationship);
                await service.accounts.removeProxy(account.id, planned);
              }
            }
            audit.defer(accessChangeEvent({ caller: callerOf(request), origin: originOf(request), patient: patientId,
              description: `Linked as ${body.relationship} to patient account ${account.id}` }));
            return h.response({ patientId, relationship: body.relationship, name: identity.name }).code(201);
          },
        },
      },
      {
        method: 'DELETE', path: '/auth/proxies/{patientId}',
        options: {
          validate: { params: Joi.object({ patientId: Joi.string().pattern(/^[A-Za-z0-9\-.]{1,64}$/).required() }), failAction: invalidInput },
          async handler(request, h) {
            const account = await patientAccount(request);
            const patientId = (request.params as { patientId: string }).patientId;
            if (!await service.accounts.removeProxy(account.id, patientId)) {
              throw authError('not-found', 'This person is not linked to your account');
            }
            audit.defer(accessChangeEvent({ caller: callerOf(request), origin: originOf(request), patient: patientId,
              description: `Unlinked from patient account ${account.id}` }));
            return h.response().code(204);
          },
        },
      },
    ];
    server.route(routes);
  },
};
