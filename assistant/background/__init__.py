"""Background work: named queues of persisted tasks, one worker thread per queue (worker.py), the task table
(models.py) and its SQL (repository.py). Ingestion jobs and automatic risk scans both run here."""
