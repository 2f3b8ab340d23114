/* swt_pb.h — the one include of the generated protobuf-c header.
 *
 * The generated *_INIT macros cast string literals to char *; GCC reports
 * those at the header's own lines, so silencing -Wcast-qual for the
 * header's extent keeps our code under the full warning set. */
#ifndef SWT_PB_H
#define SWT_PB_H

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wcast-qual"
#include "swt.pb-c.h"
#pragma GCC diagnostic pop

#endif
