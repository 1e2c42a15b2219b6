// Permission checks of one routed request, before its handler runs. The interaction follows from the
// route (http://hl7.org/fhir/R4/http.html#summary); searches across types, history across types and
// includes are narrowed further where their rows are read (search/execute.ts, history.ts).
import { FhirError } from '../outcome.ts';
import { authorize, boundedByCompartment, type Access, type Interaction } from '../access.ts';
import type { FhirRequest, RestContext, RouteMatch } from './types.ts';

/** Where in the URL space a route sits. */
export type RouteLevel = 'system' | 'metadata' | 'system-history' | 'type' | 'type-search' | 'type-history'
  | 'instance' | 'instance-history' | 'version' | 'compartment' | 'operation';

const writes = new Set<Interaction>(['create', 'update', 'patch', 'delete']);

/**
 * A patient-level caller changes data only through operations that check what they change (e.g.
 * booking), never by writing resources directly.
 */
function refuseDirectWrite(access: Access, resourceType: string, interaction: Interaction): void {
  if (access.patients !== undefined) {
    throw new FhirError('forbidden', `Not permitted: ${interaction} ${resourceType} (${access.describe}; patient-level access is read-only)`);
  }
}

function interactionOf(req: FhirRequest, level: RouteLevel): Interaction | undefined {
  switch (level) {
    case 'type':
      return ({ GET: 'search', HEAD: 'search', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' } as const)[req.method];
    case 'type-search':
      return 'search';
    case 'type-history':
    case 'instance-history':
      return 'history';
    case 'instance':
      return ({ GET: 'read', HEAD: 'read', POST: undefined, PUT: 'update', PATCH: 'patch', DELETE: 'delete' } as const)[req.method];
    case 'version':
      return 'vread';
    default:
      return undefined;
  }
}

/** Throws when refused; a promise only when a compartment check has to read the database. */
export function guard(req: FhirRequest, ctx: RestContext, match: RouteMatch, level: RouteLevel, searched?: string | null): Promise<void> | undefined {
  const access = ctx.access;
  if (!access) return undefined;
  if (level === 'operation') {
    authorize(access, match.resourceType ?? '*', 'operation', match.operation);
  } else if (level === 'compartment') {
    if (searched) authorize(access, searched, 'search');
  } else {
    const interaction = interactionOf(req, level);
    if (interaction === undefined) return undefined; // system-level: checked per type where the rows are read
    authorize(access, match.resourceType!, interaction);
    if (writes.has(interaction)) refuseDirectWrite(access, match.resourceType!, interaction);
  }
  // One resource named in the URL: outside the caller's compartments it does not exist for them.
  if (match.id && boundedByCompartment(access, match.resourceType!)) {
    return ctx.repo.visible(access, [{ resourceType: match.resourceType!, id: match.id }]).then((visible) => {
      if (visible.size === 0) throw new FhirError('not-found', `${match.resourceType}/${match.id} is not known`);
    });
  }
  return undefined;
}

/**
 * The write entries of a transaction are checked before anything is planned or written (their
 * conditional references and If-None-Exist searches read data); GET entries pass through the router.
 */
export function guardTransactionWrites(ctx: RestContext, entries: readonly { method: string; path: string }[]): void {
  const access = ctx.access;
  if (!access) return;
  for (const e of entries) {
    const interaction = ({ POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' } as const)[e.method as 'POST'];
    if (!interaction) continue;
    const type = e.path.split('/')[0]!;
    authorize(access, type, interaction);
    refuseDirectWrite(access, type, interaction);
  }
}
