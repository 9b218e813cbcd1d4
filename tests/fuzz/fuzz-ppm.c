/* libFuzzer target: random bytes through the PPM reader (header parser, P6 and P3 decoders). */
#include <stdint.h>
#include <string.h>

#include "ppm-reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    GError *error = NULL;
    pixman_image_t *image = ph_ppm_read(data, size, &error);

    /* Exactly one of image and error, and a decoded image is the size its
     * header promised within the reader's limit. */
    if (image != NULL) {
        int w = pixman_image_get_width(image);
        int h = pixman_image_get_height(image);
        const uint8_t *bits = (const uint8_t *)pixman_image_get_data(image);
        int stride = pixman_image_get_stride(image);
        uint32_t sum = 0;

        if (error != NULL || w < 1 || h < 1 || w > PH_PPM_MAX_DIMENSION ||
            h > PH_PPM_MAX_DIMENSION || stride < w * 4) {
            __builtin_trap();
        }
        /* Touch the last pixel of every row: it must have been written
         * (MSan) and be inside the buffer (ASan). */
        for (int y = 0; y < h; y++) {
            uint32_t px;

            memcpy(&px, bits + (size_t)y * (size_t)stride + (size_t)(w - 1) * 4, 4);
            sum += px;
        }
        (void)sum;
        pixman_image_unref(image);
    } else {
        if (error == NULL || error->domain != PH_PPM_ERROR || error->message == NULL ||
            error->message[0] == '\0') {
            __builtin_trap();
        }
        g_error_free(error);
    }
    return 0;
}
