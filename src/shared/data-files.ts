/** The SQLite files a data directory (JARVIS_DATA_DIR) may hold, derived state first and the log last. */
export const DATA_DIR_DATABASES = ['projections.db', 'audit.db', 'outbox.db', 'eventlog.db'] as const;
