// Write-time extraction of composite parameters (http://hl7.org/fhir/R4/search.html#composite) into
// fhir_sp_composite rows. The composite's expression selects element instances (the Observation
// itself, each Observation.component, ...); each component expression is evaluated relative to one
// instance (http://hl7.org/fhir/R4/searchparameter-definitions.html#SearchParameter.component), and
// its values are converted exactly as a plain parameter of the component's type would be. Rows of
// one instance share `grp`, which is what lets a search require both values from the same instance.
import type { SearchParameterDefinition, SearchParameterRegistry, SearchParamType } from '../definitions/search-parameters.ts';
import { splitUnion } from '../definitions/search-parameters.ts';
import { compileExpression, compileRelativeExpression, type Evaluator, type TypedValue } from './expression-plan.ts';
import type { CompositeRow, IndexRows } from './index-rows.ts';

/** Converts values of one component to index rows of its type, under the param code `code`. */
export type ComponentConverter = (code: string, type: SearchParamType, values: TypedValue[]) => IndexRows;

export type CompositePlan = (resource: Record<string, unknown>, out: CompositeRow[]) => void;

interface Component {
  type: SearchParamType;
  /** Evaluated on the instance, or on the resource for `%resource.` expressions (MolecularSequence). */
  evaluate: Evaluator;
  onResource: boolean;
}

const componentCode = 'c';
const supportedTypes = new Set<SearchParamType>(['string', 'token', 'reference', 'date', 'number', 'quantity', 'uri']);

/** Undefined when a component is unknown or its expression is beyond the fast path: not indexed. */
export function compositePlan(
  p: SearchParameterDefinition, registry: SearchParameterRegistry, convert: ComponentConverter,
): CompositePlan | undefined {
  if (!p.expression || p.components.length < 2) return undefined;
  const contexts: Array<{ select: Evaluator; components: Component[] }> = [];
  for (const part of splitUnion(p.expression)) {
    const components: Component[] = [];
    for (const c of p.components) {
      const type = registry.getByUrl(c.definition)?.type;
      if (!type || !supportedTypes.has(type)) return undefined;
      const onResource = c.expression.startsWith('%resource.');
      const evaluate = onResource
        ? compileExpression(`${p.resourceType}.${c.expression.slice('%resource.'.length)}`, p.resourceType).evaluate
        : compileRelativeExpression(c.expression, part, p.resourceType);
      if (!evaluate) return undefined;
      components.push({ type, evaluate, onResource });
    }
    contexts.push({ select: compileExpression(part, p.resourceType).evaluate, components });
  }
  const param = p.code;
  return (resource, out) => {
    let grp = 0;
    for (const { select, components } of contexts) {
      for (const instance of select(resource)) {
        const element = instance.value as Record<string, unknown>;
        const perComponent: IndexRows[] = [];
        for (const c of components) {
          const values = c.evaluate(c.onResource ? resource : element);
          if (values.length === 0) break;
          perComponent.push(convert(componentCode, c.type, values));
        }
        if (perComponent.length !== components.length) continue;
        const rows: CompositeRow[] = [];
        perComponent.forEach((converted, component) => rows.push(...componentRows(param, grp, component, converted)));
        // An instance contributes only when every component has a value: otherwise nothing can match.
        if (new Set(rows.map((r) => r.component)).size !== components.length) continue;
        out.push(...rows);
        grp++;
      }
    }
  };
}

function componentRows(param: string, grp: number, component: number, rows: IndexRows): CompositeRow[] {
  const base = (): CompositeRow => ({
    param, grp, component, system: null, code: null, unit: null, value: null, valueNorm: null,
    number: null, low: null, high: null, targetType: null, targetId: null, targetUrl: null,
  });
  const out: CompositeRow[] = [];
  for (const r of rows.token) if (r.param === componentCode) out.push({ ...base(), system: r.system, code: r.code });
  for (const r of rows.string) out.push({ ...base(), value: r.value, valueNorm: r.valueNorm });
  for (const r of rows.uri) out.push({ ...base(), value: r.value });
  for (const r of rows.date) out.push({ ...base(), low: r.low, high: r.high });
  for (const r of rows.number) out.push({ ...base(), number: r.value });
  for (const r of rows.quantity) out.push({ ...base(), system: r.system, code: r.code, unit: r.unit, number: r.value });
  for (const r of rows.reference) out.push({ ...base(), targetType: r.targetType, targetId: r.targetId, targetUrl: r.targetUrl });
  return out;
}
