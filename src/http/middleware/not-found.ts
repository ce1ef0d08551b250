/** Answers 404 for a path no route declares (after the IP's rate limit has been charged). */
import type { Next } from 'koa';
import { httpErrors } from '../errors.ts';
import type { JarvisContext } from '../state.ts';

export async function notFound(ctx: JarvisContext, next: Next): Promise<void> {
  if (ctx.state.route === null) throw httpErrors.notFound();
  await next();
}
