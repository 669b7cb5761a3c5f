import pkg from '../../package.json' with { type: 'json' };

// Partners allow-list or log callers by User-Agent; the version tells them which
// mock build sent a callback when they compare behaviour across upgrades.
export const CALLBACK_USER_AGENT = `facematch-mock/${pkg.version}`;
