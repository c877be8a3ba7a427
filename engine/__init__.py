"""The embedded Zeebe-compatible engine: BPMN on SpiffWorkflow, FEEL, durable store, gRPC gateway.

Public doors for code outside engine/: `engine.feel` (FEEL library) and `engine.testkit` (tests).
Everything else talks to the engine over the Zeebe gateway protocol.
"""
