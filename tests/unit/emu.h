/* emu.h - what an emulator gets wrong, so that a unit test can tell a bug of
 * quiver's from one of the machine it runs on (`zig build cross` runs the
 * unit tests of eight targets under qemu-user). */
#ifndef QV_TESTS_EMU_H
#define QV_TESTS_EMU_H

#include <stdbool.h>

/* The reason text for tq_skip when emu_so_error_untranslated() is true. */
#define EMU_SO_ERROR_WHY \
	"getsockopt(SO_ERROR) gives the host's errno untranslated here (qemu-user on MIPS)"

/* True when getsockopt(SO_ERROR) after a refused non-blocking connect does
 * not read ECONNREFUSED.  qemu-user 7.2 hands the host's errno to the guest
 * untranslated: 111 on an x86_64 host, while MIPS numbers ECONNREFUSED 146,
 * so strerror() of it says "No error information".  A real MIPS kernel, and
 * every other target here, read ECONNREFUSED.  Probed once, then cached. */
bool emu_so_error_untranslated(void);

#endif
