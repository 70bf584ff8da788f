// The first script the console's page runs (a module of its own, before
// main.js): it sends the API requests of the first screen at once, so that
// they run while the console's bundle is still being fetched and evaluated.
// See early_requests.js.
import { startEarlyRequests } from "./early_requests.js";

startEarlyRequests(location);
