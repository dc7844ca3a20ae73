/** What the global setups hand to the tests (vitest's provide/inject). */
declare module 'vitest' {
  export interface ProvidedContext {
    mongodbUri: string;
    gatewayUrl: string;
    portBase: number;
    jwtSecret: string;
    signingSecret: string;
    temporalAddress: string;
  }
}
export {};
