-- The xetl schema: every warehouse object of the pipeline lives here (docs/data-contract.md,
-- "Warehouse"), so grants and clean-ups can address the pipeline as one unit.
CREATE SCHEMA IF NOT EXISTS xetl;
