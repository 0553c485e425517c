"""xetl's event trigger: S3 marker events (EventBridge, delivered through SQS) -> one DAG run each.

``xetl_trigger.handler`` is the Lambda (the only module shipped: the deployment zip holds this file and
``handler.py``); ``local_poller`` drives the same code from an SQS queue locally; ``emulator_setup``
creates account B's event path in moto. See docs/event-trigger.md.
"""
