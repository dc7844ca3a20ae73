/**
 * Configuration comes from environment variables only. Every variable has a local default so the
 * stack runs with none set; a bad value stops the process at start-up with a message naming it.
 */
export class ConfigError extends Error {}

type Parse<T> = (raw: string, name: string) => T;

export function env<T = string>(name: string, fallback: T, parse?: Parse<T>): T {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  return parse ? parse(raw, name) : (raw as unknown as T);
}

export const asInt =
  (min: number, max: number): Parse<number> =>
  (raw, name) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
    return n;
  };

export const asBool: Parse<boolean> = (raw, name) => {
  if (/^(1|true|yes)$/i.test(raw)) return true;
  if (/^(0|false|no)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
};

export const asUrl: Parse<string> = (raw, name) => {
  try {
    return new URL(raw).toString();
  } catch {
    throw new ConfigError(`${name} must be a URL, got "${raw}"`);
  }
};

/** Development secrets: fine on a laptop, refused when STARLINE_ENV=production. */
export const DEV_JWT_SECRET = 'starline-local-development-jwt-secret';
export const DEV_SIGNING_SECRET = 'starline-local-development-gateway-signing-secret';

/** The ports of the local stack, all derived from one base so a second stack can run beside it. */
export const SERVICE_PORT_OFFSETS = {
  gateway: 0,
  workflows: 100,
  standards: 101,
  network: 102,
  certification: 103,
  tickets: 104,
  settlement: 105,
} as const;
export type ServiceName = Exclude<keyof typeof SERVICE_PORT_OFFSETS, 'gateway' | 'workflows'>;

export interface PlatformConfig {
  environment: 'development' | 'production';
  devMode: boolean;
  mongodbUri: string;
  temporalAddress: string;
  temporalNamespace: string;
  jwtSecret: string;
  jwksUrl: string | undefined;
  signingSecret: string;
  allowDirectSubgraphAccess: boolean;
  portBase: number;
  host: string;
  logLevel: string;
  /** How long a service keeps the standard in force before asking the standards service again. */
  standardCacheTtlMs: number;
}

export function loadPlatformConfig(): PlatformConfig {
  const environment = env('STARLINE_ENV', 'development', (raw, name) => {
    if (raw !== 'development' && raw !== 'production')
      throw new ConfigError(`${name} must be development or production, got "${raw}"`);
    return raw;
  });
  const cfg: PlatformConfig = {
    environment,
    devMode: env('STARLINE_DEV_MODE', false, asBool),
    mongodbUri: env('MONGODB_URI', 'mongodb://127.0.0.1:27017/'),
    temporalAddress: env('TEMPORAL_ADDRESS', '127.0.0.1:7233'),
    temporalNamespace: env('TEMPORAL_NAMESPACE', 'default'),
    jwtSecret: env('JWT_SECRET', DEV_JWT_SECRET),
    jwksUrl: env<string | undefined>('JWT_JWKS_URL', undefined, asUrl),
    signingSecret: env('GATEWAY_SIGNING_SECRET', DEV_SIGNING_SECRET),
    allowDirectSubgraphAccess: env('ALLOW_DIRECT_SUBGRAPH_ACCESS', false, asBool),
    portBase: env('STARLINE_PORT_BASE', 4000, asInt(1024, 60000)),
    host: env('STARLINE_HOST', '127.0.0.1'),
    logLevel: env('LOG_LEVEL', 'info'),
    standardCacheTtlMs: env('STANDARD_CACHE_TTL_MS', 30_000, asInt(0, 3_600_000)),
  };
  if (environment === 'production') {
    if (!cfg.jwksUrl && cfg.jwtSecret === DEV_JWT_SECRET)
      throw new ConfigError('production needs JWT_JWKS_URL or a JWT_SECRET of its own');
    if (cfg.signingSecret === DEV_SIGNING_SECRET)
      throw new ConfigError('production needs a GATEWAY_SIGNING_SECRET of its own');
    if (cfg.allowDirectSubgraphAccess || cfg.devMode)
      throw new ConfigError('ALLOW_DIRECT_SUBGRAPH_ACCESS and STARLINE_DEV_MODE are for local development only');
  }
  if (cfg.jwtSecret.length < 32 && !cfg.jwksUrl) throw new ConfigError('JWT_SECRET must be at least 32 characters');
  return cfg;
}

export function servicePort(cfg: Pick<PlatformConfig, 'portBase'>, service: keyof typeof SERVICE_PORT_OFFSETS): number {
  return cfg.portBase + SERVICE_PORT_OFFSETS[service];
}
