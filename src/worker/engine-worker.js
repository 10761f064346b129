// Worker-thread entry for the dashboard's engine: workers do not inherit the main thread's tsx
// registration, so register it here before loading the TypeScript host.
import { register } from 'tsx/esm/api';

register();
await import('./engine-host.ts');
