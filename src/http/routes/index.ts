/** Every route of the API, in one list: the app dispatches it and openapi.json describes it. */
import type { ChatService } from '../../chat/service.ts';
import { buildOpenApi } from '../openapi.ts';
import type { RouteSpec } from '../state.ts';
import type { StreamRegistry } from '../stream-registry.ts';
import type { StreamSlots } from '../stream-slots.ts';
import { adminIpBlockRoutes } from './admin-ip-blocks.ts';
import { adminKeyRoutes } from './admin-keys.ts';
import { adminSessionRoutes } from './admin-sessions.ts';
import { audioRoutes } from './audio.ts';
import { authRoutes } from './auth.ts';
import { chatRoutes } from './chat.ts';
import type { RouteDeps } from './deps.ts';
import type { SpeechPort } from './speech-port.ts';
import { systemRoutes } from './system.ts';

export interface AllRouteDeps extends RouteDeps {
  readonly chat: ChatService;
  readonly speech: SpeechPort;
  readonly streams: StreamRegistry;
  /** The cap on open audio streams per principal, for the whole instance. */
  readonly slots: StreamSlots;
  /** Routes added by other features (the audit log). */
  readonly extraRoutes?: readonly RouteSpec[];
}

/** The routes without /openapi.json. */
export function apiRoutes(deps: AllRouteDeps): RouteSpec[] {
  return [
    ...systemRoutes(deps),
    ...authRoutes(deps),
    ...chatRoutes(deps),
    ...audioRoutes(deps),
    ...adminKeyRoutes(deps),
    ...adminSessionRoutes(deps),
    ...adminIpBlockRoutes(deps),
    ...(deps.extraRoutes ?? []),
  ];
}

/** The OpenAPI document of `routes` plus its own route. */
export function openApiDocument(routes: readonly RouteSpec[], version: string): Record<string, unknown> {
  return buildOpenApi([...routes, openApiRoute('')], version);
}

/** GET /openapi.json serving `document` (already serialized). */
export function openApiRoute(document: string): RouteSpec {
  return {
    method: 'GET',
    path: '/openapi.json',
    access: 'public',
    tier: null,
    summary: 'This document.',
    responses: { '200': { description: 'The OpenAPI 3.1 document.' } },
    handler(ctx) {
      ctx.type = 'application/json';
      ctx.set('Cache-Control', 'public, max-age=300');
      ctx.body = document;
    },
  };
}
