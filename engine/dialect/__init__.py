"""The Zeebe dialect of BPMN on SpiffWorkflow: parser (`zeebe:` extensions), task specs, FEEL as the
script engine, variable mappings, timers on the engine's clock, and spec-less snapshots."""
