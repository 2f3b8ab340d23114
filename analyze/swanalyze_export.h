/* swanalyze_export.h — `swanalyze export` (swanalyze_export.c). */
#ifndef SWANALYZE_EXPORT_H
#define SWANALYZE_EXPORT_H

/* argv[0] is "export". Returns the exit status. */
int swanalyze_export_main(int argc, char **argv);

#endif
