/* br.h - the one way quiver includes BearSSL.
 *
 * BearSSL's headers test `#if BR_DOXYGEN_IGNORE` without defining it, which
 * our -Wundef turns into an error; the warning is silenced for them only. */
#ifndef QV_TLS_BR_H
#define QV_TLS_BR_H

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wundef"
#include "bearssl.h"
#pragma GCC diagnostic pop

#endif
