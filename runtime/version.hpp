#pragma once
#ifndef DOCKLOCK_VERSION
#define DOCKLOCK_VERSION "0.1.0"
#endif
#ifndef DOCKLOCK_COMMIT
#define DOCKLOCK_COMMIT "unknown"
#endif
