// MAIN-world entry, registered at document_start in every frame before any page script: hooks the upload
// paths the isolated world cannot see and the egress backstop. Imports nothing that needs the extension
// API (it runs inside the site's own JavaScript world) and only asks the guard, which decides.

import { connectToGuard } from './bridge';
import { hookDetachedInputs, hookFilePickers } from './pickers';
import { hookEgress } from './egress';
import { propagateThroughSlices } from './taint';

connectToGuard();
hookDetachedInputs();
hookFilePickers();
hookEgress();
propagateThroughSlices();
