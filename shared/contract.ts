/**
 * The admin contract: every operation the UI, the CLI seed loader and scripts can ask of the engine.
 * Each entry maps a method name ("namespace.action") to the schema of its input and output. The same
 * schemas validate payloads where they enter (IPC handler, admin HTTP route) and give the TypeScript
 * types on both sides, so the two transports cannot drift apart.
 */
import { z } from 'zod';

export const EngineInfoSchema = z.object({
  issuer: z.string(),
  version: z.string(),
  dataDir: z.string().nullable(),
  startedAt: z.string(),
});
export type EngineInfo = z.infer<typeof EngineInfoSchema>;

const NoInput = z.object({}).strict();

export const adminContract = {
  'engine.info': { input: NoInput, output: EngineInfoSchema },
} as const;

export type AdminContract = typeof adminContract;
export type AdminMethod = keyof AdminContract;
/** What a caller sends. */
export type AdminInput<M extends AdminMethod> = z.input<AdminContract[M]['input']>;
/** What a handler receives once the input schema has parsed (defaults applied). */
export type AdminParsedInput<M extends AdminMethod> = z.output<AdminContract[M]['input']>;
export type AdminOutput<M extends AdminMethod> = z.output<AdminContract[M]['output']>;

export const adminMethods = Object.keys(adminContract) as AdminMethod[];

export function isAdminMethod(name: string): name is AdminMethod {
  return Object.hasOwn(adminContract, name);
}

type Namespace<M extends string> = M extends `${infer NS}.${string}` ? NS : never;
type ActionOf<M extends string, NS extends string> = M extends `${NS}.${infer A}` ? A : never;

/** The domain-shaped API the renderer uses: `api.users.list()`, whichever transport is underneath. */
export type AdminApi = {
  [NS in Namespace<AdminMethod>]: {
    [A in ActionOf<AdminMethod, NS>]: `${NS}.${A}` extends AdminMethod
      ? (input: AdminInput<`${NS}.${A}`>) => Promise<AdminOutput<`${NS}.${A}`>>
      : never;
  };
};

/** Builds the domain-shaped API from one function that performs a call; both transports use it. */
export function buildAdminApi(call: (method: AdminMethod, input: unknown) => Promise<unknown>): AdminApi {
  const api: Record<string, Record<string, (input: unknown) => Promise<unknown>>> = {};
  for (const method of adminMethods) {
    const [ns, action] = method.split('.') as [string, string];
    api[ns] ??= {};
    api[ns][action] = (input: unknown) => call(method, input ?? {});
  }
  return api as unknown as AdminApi;
}
