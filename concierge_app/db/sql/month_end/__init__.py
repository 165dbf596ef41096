"""The month-end run's set-based SQL, in its two steps: the statements (`statements`), then the
documents, payouts and messages issued from them (`documents`)."""
