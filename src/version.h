/* version.h - quiver's version string (bumped by hand at release). */
#ifndef QV_VERSION_H
#define QV_VERSION_H

#define QV_VERSION "0.1.0"

#endif
