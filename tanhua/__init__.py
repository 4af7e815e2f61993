"""谈话 (tanhua): supervision-talk management."""
