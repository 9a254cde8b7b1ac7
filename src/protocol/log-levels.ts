/** MCP's log levels, lowest first (RFC 5424 severities). Apart from the schemas: the web client imports it without zod. */
export const LOG_LEVELS = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
