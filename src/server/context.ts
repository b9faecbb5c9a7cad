/**
 * What every route gets: the lake state, where the models and the dashboard live, and the
 * request's principal. Authentication and roles are a later issue: the principal is the seam
 * they will fill (and the answer cache will key on), anonymous for now.
 */
import type { FastifyInstance } from 'fastify';
import type { LakeState } from './lake-state.js';

export interface Principal {
  id: string;
  roles: string[];
}

export interface ServerContext {
  state: LakeState;
  /** The models folder (lineage). */
  modelsDir: string;
  /** The dashboard's built files. */
  webDir: string;
  version: string;
  startedAt: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
}

export const ANONYMOUS: Principal = Object.freeze({ id: 'anonymous', roles: [] as string[] }) as Principal;

export function installPrincipal(app: FastifyInstance): void {
  app.decorateRequest('principal', null as unknown as Principal);
  app.addHook('onRequest', async (request) => {
    request.principal = ANONYMOUS;
  });
}
