build/objtool/ao_error.o: objtool/ao_error.c include/ao_error.h
include/ao_error.h:
