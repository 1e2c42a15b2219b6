-- Multivariate statistics for the search-index tables (PostgreSQL docs, "Extended Statistics").
-- A lookup names the resource type, the parameter and a value together, and those columns are
-- strongly correlated: `clinical-status` occurs only on Conditions and AllergyIntolerances, `active`
-- mostly under it. Multiplying the per-column frequencies as if independent, the planner estimated
-- 4 rows for Condition/clinical-status/active where there were 3,547, started the chart's "active
-- problems" search from that list instead of from the patient's references, and took 65 ms instead
-- of 9 (bench:chart, PGlite). MCV lists over the combinations give it the real frequencies.
CREATE STATISTICS IF NOT EXISTS fhir_sp_string_stats (mcv, dependencies) ON resource_type, param FROM fhir_sp_string;
CREATE STATISTICS IF NOT EXISTS fhir_sp_token_stats (mcv, dependencies) ON resource_type, param, code FROM fhir_sp_token;
CREATE STATISTICS IF NOT EXISTS fhir_sp_reference_stats (mcv, dependencies) ON resource_type, param, target_type FROM fhir_sp_reference;
CREATE STATISTICS IF NOT EXISTS fhir_sp_date_stats (mcv, dependencies) ON resource_type, param FROM fhir_sp_date;
CREATE STATISTICS IF NOT EXISTS fhir_sp_number_stats (mcv, dependencies) ON resource_type, param FROM fhir_sp_number;
CREATE STATISTICS IF NOT EXISTS fhir_sp_quantity_stats (mcv, dependencies) ON resource_type, param, code FROM fhir_sp_quantity;
CREATE STATISTICS IF NOT EXISTS fhir_sp_uri_stats (mcv, dependencies) ON resource_type, param FROM fhir_sp_uri;
CREATE STATISTICS IF NOT EXISTS fhir_sp_composite_stats (mcv, dependencies) ON resource_type, param, component, code FROM fhir_sp_composite;
-- Built by the next ANALYZE; run it now so an existing database plans with them at once (ANALYZE
-- samples a fixed number of rows, so this takes seconds even on a large database).
ANALYZE fhir_sp_string, fhir_sp_token, fhir_sp_reference, fhir_sp_date, fhir_sp_number, fhir_sp_quantity, fhir_sp_uri, fhir_sp_composite;
