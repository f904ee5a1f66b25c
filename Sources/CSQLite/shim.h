#include <sqlite3.h>

/// `sqlite3_config` is variadic, which Swift cannot call; this names the one setting gwsim
/// changes. Turning memory statistics off spares a global mutex on every SQLite allocation
/// (gwsim never reads those statistics). Only valid before SQLite initializes; returns
/// SQLITE_MISUSE after that, which callers ignore.
static inline int gwsim_sqlite3_disable_memstatus(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
