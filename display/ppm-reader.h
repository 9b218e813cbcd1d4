/* Reads PPM images (P6 binary, P3 ASCII), such as QEMU screendumps, into pixman images. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <glib.h>
#include <pixman.h>

G_BEGIN_DECLS

#define PH_PPM_ERROR (ph_ppm_error_quark())
GQuark ph_ppm_error_quark(void);

/* What went wrong, for callers that react differently; the message of the
 * GError is plain English (no gettext in display/), meant to be shown to
 * the user after a prefix of the UI's choosing. */
typedef enum {
    PH_PPM_ERROR_BAD_MAGIC,       /* not "P6" or "P3" at the start */
    PH_PPM_ERROR_BAD_HEADER,      /* width, height or maxval missing or not a number */
    PH_PPM_ERROR_BAD_DIMENSIONS,  /* width or height zero or negative */
    PH_PPM_ERROR_BAD_MAXVAL,      /* maxval outside 1..65535 */
    PH_PPM_ERROR_TOO_LARGE,       /* above PH_PPM_MAX_DIMENSION, or out of memory */
    PH_PPM_ERROR_TRUNCATED,       /* fewer pixel bytes or samples than the header says */
    PH_PPM_ERROR_BAD_SAMPLE,      /* P3: a sample that is not a number or is above maxval */
} PhPpmError;

/* The largest width and height accepted: 16384x16384 x 4 bytes is 1 GiB,
 * far above any screen and still an allocation that can succeed. */
#define PH_PPM_MAX_DIMENSION 16384

/* Decodes the PPM image in data[0..len) into a new PIXMAN_x8r8g8b8 image
 * whose pixel buffer pixman owns (release with pixman_image_unref()).
 * Samples are scaled from 0..maxval to 0..255 with rounding; 16-bit P6
 * samples are big-endian; P6 samples above maxval are clamped, P3 ones
 * are an error.  Bytes after the last pixel are ignored.  Returns NULL
 * with error (domain PH_PPM_ERROR) set on any malformed input; never reads
 * outside data[0..len). */
pixman_image_t *ph_ppm_read(const uint8_t *data, size_t len, GError **error);

/* Reads the file at path and decodes it as ph_ppm_read() does.  A file that
 * cannot be read gives a G_FILE_ERROR error, a malformed one a
 * PH_PPM_ERROR error. */
pixman_image_t *ph_ppm_load(const char *path, GError **error);

G_END_DECLS
