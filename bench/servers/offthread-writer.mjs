// Loads offthread-writer.ts in its worker thread (worker threads do not inherit tsx's loader).
import { register } from 'tsx/esm/api';

register();
await import('./offthread-writer.ts');
