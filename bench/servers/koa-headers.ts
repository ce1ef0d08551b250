// Reference: Koa answering with the same headers Jarvis sends on GET /status (security headers,
// request id, Cache-Control, the five rate-limit fields) and the same body — and doing nothing
// else: no checks, no events. What the headers alone cost in Koa.
import Koa from 'koa';
import { answerLikeStatus, serve } from './status-answer.ts';

const app = new Koa();
app.use((ctx) => void answerLikeStatus(ctx));
serve(app);
