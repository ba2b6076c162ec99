import type { onRequestHookHandler, preValidationHookHandler, RouteOptions } from 'fastify';

type RouteHook = onRequestHookHandler | preValidationHookHandler;

/**
 * Adds a hook to a route being registered (from an `onRoute` hook), after the hooks it already
 * has: how the app's rules (access, query parameters, bodies) reach every route, other
 * plugins' routes included.
 */
export function appendRouteHook(
  route: RouteOptions,
  name: 'onRequest' | 'preValidation',
  hook: RouteHook,
): void {
  const existing = route[name] as unknown;
  const list = existing === undefined ? [] : Array.isArray(existing) ? existing : [existing];
  (route as unknown as Record<string, unknown[]>)[name] = [...list, hook];
}
