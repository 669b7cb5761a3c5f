/** A configuration mistake: the message names the source and the field, and says how to fix it. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
