// Our key pair for a partner that uses SMART Backend Services
// (http://hl7.org/fhir/smart-app-launch/backend-services.html#registering-a-smart-backend-service):
// ES384, the private half kept in our table, the public half published in our JWKS for the partner
// to register with our client id.
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';

export const ASSERTION_ALG = 'ES384';

export interface PartnerKeyPair { keyId: string; privateJwk: JWK; publicJwk: JWK }

export async function newKeyPair(): Promise<PartnerKeyPair> {
  const { privateKey, publicKey } = await generateKeyPair(ASSERTION_ALG, { extractable: true });
  const keyId = randomUUID();
  const privateJwk = { ...await exportJWK(privateKey), kid: keyId, alg: ASSERTION_ALG };
  // key_ops/use as the backend-services page asks of a published signing key.
  const publicJwk = { ...await exportJWK(publicKey), kid: keyId, alg: ASSERTION_ALG, use: 'sig', key_ops: ['verify'] };
  return { keyId, privateJwk, publicJwk };
}
