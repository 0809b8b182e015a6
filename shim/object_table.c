/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 The giltrace developers */

#define _GNU_SOURCE
#include "config.h"

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "object_table.h"

/* glibc 2.35 and later: an address's object without the loader's lock. */
#if defined(DLFO_EH_SEGMENT_TYPE)
#define HAVE_DL_FIND_OBJECT 1
#endif

#define OBJECT_PATH_MAX 1024

struct object {
	int ready;			/* published: every other field is set */
	int startup;			/* loaded with the program: never unloaded */
	int main_program;
	const void *map;		/* the loader's link_map (identity with start) */
	uintptr_t start, end;		/* the object's mapping */
	uintptr_t bias;
	const unsigned char *eh_frame_hdr;
	/* dynamic symbols, in the object's memory */
	const ElfW(Sym) *dynsym;
	const char *dynstr;
	uint32_t ndynsym;
	const uint32_t *gnu_hash;
	/* the file's symbol table, mapped read-only for good (NULL if none) */
	const ElfW(Sym) *symtab;
	const char *strtab;
	size_t nsymtab, strtab_size;
	char path[OBJECT_PATH_MAX];
};

/*
 * Every object seen, in the order seen (load order for those loaded with
 * the program).  Entries are claimed with an atomic increment, filled,
 * then published through .ready, so that any thread, in any context,
 * reads them without a lock.  Entries are never removed: an object
 * unloaded stays, unreachable (object_at only returns the entry of
 * what _dl_find_object finds loaded now), and one loaded again at the
 * same place from the same file finds its old entry.  Global: the
 * objects are the process's.  Static storage: no allocation (only the
 * touched pages cost memory).
 */
#define OBJECTS_MAX 1024
static struct object objects[OBJECTS_MAX];
static unsigned int objects_claimed;

static unsigned int objects_count(void)
{
	unsigned int n = __atomic_load_n(&objects_claimed, __ATOMIC_ACQUIRE);

	return n < OBJECTS_MAX ? n : OBJECTS_MAX;
}

static int object_ready(const struct object *o)
{
	return __atomic_load_n(&o->ready, __ATOMIC_ACQUIRE);
}

/* ---- reading ELF -------------------------------------------------- */

/* The pointer of a dynamic entry: relocated by the loader, except where
 * the dynamic section is read-only (the vDSO). */
static uintptr_t dyn_ptr(uintptr_t p, uintptr_t bias)
{
	return bias && p < bias ? p + bias : p;
}

/* How many dynamic symbols a GNU hash table covers. */
static uint32_t gnu_hash_count(const uint32_t *h)
{
	uint32_t nbuckets = h[0], symoffset = h[1], bloom_size = h[2];
	const uint32_t *buckets = (const uint32_t *) ((const ElfW(Addr) *) (h + 4) + bloom_size);
	const uint32_t *chain = buckets + nbuckets;
	uint32_t last = 0;

	for (uint32_t b = 0; b < nbuckets; b++) {
		if (buckets[b] > last) {
			last = buckets[b];
		}
	}
	if (last < symoffset) {
		return symoffset;
	}
	while (!(chain[last - symoffset] & 1)) {
		last++;
	}
	return last + 1;
}

static void object_read_dynamic(struct object *o, const ElfW(Dyn) *dyn)
{
	const uint32_t *sysv_hash = NULL;

	for (const ElfW(Dyn) *d = dyn; d && d->d_tag != DT_NULL; d++) {
		switch (d->d_tag) {
		case DT_SYMTAB:
			o->dynsym = (const ElfW(Sym) *) dyn_ptr(d->d_un.d_ptr, o->bias);
			break;
		case DT_STRTAB:
			o->dynstr = (const char *) dyn_ptr(d->d_un.d_ptr, o->bias);
			break;
		case DT_GNU_HASH:
			o->gnu_hash = (const uint32_t *) dyn_ptr(d->d_un.d_ptr, o->bias);
			break;
		case DT_HASH:
			sysv_hash = (const uint32_t *) dyn_ptr(d->d_un.d_ptr, o->bias);
			break;
		default:
			break;
		}
	}
	if (!o->dynsym || !o->dynstr) {
		o->dynsym = NULL;
		o->gnu_hash = NULL;
		return;
	}
	if (o->gnu_hash) {
		o->ndynsym = gnu_hash_count(o->gnu_hash);
	} else if (sysv_hash) {
		o->ndynsym = sysv_hash[1];
	}
}

/*
 * The file's .symtab, for the functions that are not exported (take_gil
 * in an unstripped interpreter).  Plain system calls only; the mapping
 * stays for the life of the process (entries are never removed), and
 * costs address space, not memory, beyond the pages read.
 */
static void object_read_file(struct object *o, const char *path)
{
	const ElfW(Ehdr) *eh;
	const ElfW(Shdr) *sh;
	struct stat st;
	void *m;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		return;
	}
	if (fstat(fd, &st) != 0 || (size_t) st.st_size < sizeof(ElfW(Ehdr))) {
		close(fd);
		return;
	}
	m = mmap(NULL, (size_t) st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED) {
		return;
	}
	eh = m;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_shentsize != sizeof(ElfW(Shdr))
			|| eh->e_shoff == 0
			|| eh->e_shoff + (uint64_t) eh->e_shnum * sizeof(ElfW(Shdr)) > (uint64_t) st.st_size) {
		goto none;
	}
	sh = (const ElfW(Shdr) *) ((const char *) m + eh->e_shoff);
	for (unsigned int i = 0; i < eh->e_shnum; i++) {
		const ElfW(Shdr) *str;

		if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum) {
			continue;
		}
		str = &sh[sh[i].sh_link];
		if (sh[i].sh_offset + sh[i].sh_size > (uint64_t) st.st_size
				|| str->sh_offset + str->sh_size > (uint64_t) st.st_size || str->sh_size == 0) {
			goto none;
		}
		o->symtab = (const ElfW(Sym) *) ((const char *) m + sh[i].sh_offset);
		o->nsymtab = sh[i].sh_size / sizeof(ElfW(Sym));
		o->strtab = (const char *) m + str->sh_offset;
		o->strtab_size = str->sh_size;
		return;
	}
none:
	munmap(m, (size_t) st.st_size);
}

static void copy_path(char *dst, const char *src)
{
	size_t n = strlen(src);

	if (n >= OBJECT_PATH_MAX) {
		n = OBJECT_PATH_MAX - 1;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* The main program's file: its link map has no name. */
static void main_program_path(char *dst)
{
	ssize_t n = readlink("/proc/self/exe", dst, OBJECT_PATH_MAX - 1);

	if (n <= 0) {
		copy_path(dst, "/proc/self/exe");
		return;
	}
	dst[n] = '\0';
}

/*
 * Enter a new object.  Two threads meeting the same new object both
 * enter it; lookups take the first, and the other is never used.
 */
static const struct object *object_enter(const void *map, uintptr_t start, uintptr_t end,
		uintptr_t bias, const char *name, const ElfW(Dyn) *dyn, const void *eh_frame_hdr)
{
	unsigned int i = __atomic_fetch_add(&objects_claimed, 1, __ATOMIC_ACQ_REL);
	struct object *o;

	if (i >= OBJECTS_MAX) {
		return NULL;
	}
	o = &objects[i];
	o->map = map;
	o->start = start;
	o->end = end;
	o->bias = bias;
	o->eh_frame_hdr = eh_frame_hdr;
	o->main_program = !name || !name[0];
	if (o->main_program) {
		main_program_path(o->path);
	} else {
		copy_path(o->path, name);
	}
	object_read_dynamic(o, dyn);
	/* The vDSO's name is no file; an open that fails just leaves the
	 * dynamic symbols. */
	object_read_file(o, o->path);
	__atomic_store_n(&o->ready, 1, __ATOMIC_RELEASE);
	return o;
}

static int same_name(const struct object *o, const char *name)
{
	if (!name || !name[0]) {
		return o->main_program;
	}
	return !o->main_program && strncmp(o->path, name, OBJECT_PATH_MAX - 1) == 0;
}

#ifdef HAVE_DL_FIND_OBJECT
const struct object *object_at(uintptr_t addr)
{
	struct dl_find_object r;
	const struct link_map *lm;
	unsigned int n = objects_count();
	int saved = errno;
	const struct object *o = NULL;

	if (addr == 0 || _dl_find_object((void *) addr, &r) != 0 || !r.dlfo_link_map) {
		goto out;
	}
	lm = r.dlfo_link_map;
	for (unsigned int i = 0; i < n; i++) {
		const struct object *e = &objects[i];

		if (object_ready(e) && e->map == lm && e->start == (uintptr_t) r.dlfo_map_start
				&& e->end == (uintptr_t) r.dlfo_map_end
				&& e->eh_frame_hdr == r.dlfo_eh_frame && same_name(e, lm->l_name)) {
			o = e;
			goto out;
		}
	}
	if (n < OBJECTS_MAX) {
		o = object_enter(lm, (uintptr_t) r.dlfo_map_start, (uintptr_t) r.dlfo_map_end,
			lm->l_addr, lm->l_name, lm->l_ld, r.dlfo_eh_frame);
	}
out:
	errno = saved;
	return o;
}
#else
/* Without _dl_find_object: the objects loaded with the program only. */
const struct object *object_at(uintptr_t addr)
{
	unsigned int n = objects_count();

	for (unsigned int i = 0; i < n; i++) {
		const struct object *e = &objects[i];

		if (object_ready(e) && addr >= e->start && addr < e->end) {
			return e;
		}
	}
	return NULL;
}
#endif

const char *object_path(const struct object *o)
{
	return o->path;
}

uintptr_t object_bias(const struct object *o)
{
	return o->bias;
}

/* ---- symbols ------------------------------------------------------ */

/* A definition dlsym would return as is: code or data, typed or not
 * (OCaml's native code labels its data STT_NOTYPE); not an IFUNC, whose
 * value is its resolver, nor TLS. */
static int sym_defined(const ElfW(Sym) *s)
{
	int type = ELF64_ST_TYPE(s->st_info);

	return s->st_shndx != SHN_UNDEF && s->st_value != 0
		&& (type == STT_FUNC || type == STT_OBJECT || type == STT_NOTYPE);
}

static const ElfW(Sym) *covering(const ElfW(Sym) *syms, size_t n, uintptr_t bias, uintptr_t addr)
{
	for (size_t i = 0; i < n; i++) {
		const ElfW(Sym) *s = &syms[i];
		uintptr_t lo = bias + s->st_value;

		if (s->st_size && addr >= lo && addr < lo + s->st_size && sym_defined(s)) {
			return s;
		}
	}
	return NULL;
}

const char *object_symbol_covering(const struct object *o, uintptr_t addr, uintptr_t *start)
{
	const ElfW(Sym) *s;

	if (o->dynsym) {
		s = covering(o->dynsym, o->ndynsym, o->bias, addr);
		if (s) {
			*start = o->bias + s->st_value;
			return o->dynstr + s->st_name;
		}
	}
	if (o->symtab) {
		s = covering(o->symtab, o->nsymtab, o->bias, addr);
		if (s && s->st_name < o->strtab_size) {
			*start = o->bias + s->st_value;
			return o->strtab + s->st_name;
		}
	}
	return NULL;
}

static uint32_t gnu_hash(const char *name)
{
	uint32_t h = 5381;

	for (const unsigned char *p = (const unsigned char *) name; *p; p++) {
		h = h * 33 + *p;
	}
	return h;
}

static const ElfW(Sym) *gnu_lookup(const struct object *o, const char *name)
{
	const uint32_t *h = o->gnu_hash;
	uint32_t nbuckets = h[0], symoffset = h[1], bloom_size = h[2], shift = h[3];
	const ElfW(Addr) *bloom = (const ElfW(Addr) *) (h + 4);
	const uint32_t *buckets = (const uint32_t *) (bloom + bloom_size);
	const uint32_t *chain = buckets + nbuckets;
	const unsigned int bits = sizeof(ElfW(Addr)) * 8;
	uint32_t hash = gnu_hash(name), i;
	ElfW(Addr) word, mask;

	if (nbuckets == 0 || bloom_size == 0) {
		return NULL;
	}
	word = bloom[(hash / bits) % bloom_size];
	mask = ((ElfW(Addr)) 1 << (hash % bits)) | ((ElfW(Addr)) 1 << ((hash >> shift) % bits));
	if ((word & mask) != mask) {
		return NULL;
	}
	i = buckets[hash % nbuckets];
	if (i < symoffset) {
		return NULL;
	}
	for (;; i++) {
		uint32_t h2 = chain[i - symoffset];
		const ElfW(Sym) *s = &o->dynsym[i];

		if ((hash | 1) == (h2 | 1) && sym_defined(s) && strcmp(name, o->dynstr + s->st_name) == 0) {
			return s;
		}
		if (h2 & 1) {
			return NULL;
		}
	}
}

void *object_symbol(const struct object *o, const char *name, size_t *size)
{
	const ElfW(Sym) *s = NULL;

	if (!o->dynsym) {
		return NULL;
	}
	if (o->gnu_hash) {
		s = gnu_lookup(o, name);
	} else {
		for (uint32_t i = 0; i < o->ndynsym && !s; i++) {
			if (sym_defined(&o->dynsym[i]) && strcmp(name, o->dynstr + o->dynsym[i].st_name) == 0) {
				s = &o->dynsym[i];
			}
		}
	}
	if (!s) {
		return NULL;
	}
	if (size) {
		*size = s->st_size;
	}
	return (void *) (o->bias + s->st_value);
}

void *objects_lookup(const char *name, size_t *size)
{
	unsigned int n = objects_count();

	/* Objects loaded with the program stay: read them freely. */
	for (unsigned int i = 0; i < n; i++) {
		const struct object *o = &objects[i];
		void *p;

		if (!object_ready(o) || !__atomic_load_n(&o->startup, __ATOMIC_RELAXED)) {
			continue;
		}
		p = object_symbol(o, name, size);
		if (p) {
			return p;
		}
	}
	/* Those found since: only while still loaded (object_at finds the
	 * same entry for their mapping). */
	for (unsigned int i = 0; i < n; i++) {
		const struct object *o = &objects[i];
		void *p;

		if (!object_ready(o) || __atomic_load_n(&o->startup, __ATOMIC_RELAXED)
				|| object_at(o->start) != o) {
			continue;
		}
		p = object_symbol(o, name, size);
		if (p) {
			return p;
		}
	}
	return NULL;
}

/* ---- function starts from .eh_frame_hdr ----------------------------- */

#define DW_EH_PE_omit		0xff
#define DW_EH_PE_udata4		0x03
#define DW_EH_PE_datarel_sdata4	0x3b

/* Bytes taken by a pointer of encoding enc, -1 if not fixed. */
static int enc_size(unsigned char enc)
{
	switch (enc & 0x0f) {
	case 0x00:
		return (int) sizeof(void *);
	case 0x02:
	case 0x0a:
		return 2;
	case 0x03:
	case 0x0b:
		return 4;
	case 0x04:
	case 0x0c:
		return 8;
	default:
		return -1;
	}
}

static uint64_t read_unsigned(const unsigned char *p, int size)
{
	uint16_t v2;
	uint32_t v4;
	uint64_t v8;

	switch (size) {
	case 2:
		memcpy(&v2, p, 2);
		return v2;
	case 4:
		memcpy(&v4, p, 4);
		return v4;
	default:
		memcpy(&v8, p, 8);
		return v8;
	}
}

static const unsigned char *skip_leb128(const unsigned char *p)
{
	while (*p & 0x80) {
		p++;
	}
	return p + 1;
}

/* The FDE pointer encoding a CIE declares (augmentation 'R'), -1 if it
 * cannot be read. */
static int cie_fde_encoding(const unsigned char *cie)
{
	const unsigned char *p = cie;
	const char *aug;
	uint32_t len;
	unsigned char version;

	memcpy(&len, p, 4);
	if (len == 0 || len == 0xffffffffu) {
		return -1;
	}
	p += 8;			/* length, CIE id */
	version = *p++;
	aug = (const char *) p;
	p += strlen(aug) + 1;
	if (version >= 4) {
		p += 2;		/* address and segment sizes */
	}
	p = skip_leb128(p);	/* code alignment */
	p = skip_leb128(p);	/* data alignment */
	p = version == 1 ? p + 1 : skip_leb128(p);	/* return register */
	if (aug[0] != 'z') {
		return 0;	/* absolute pointers */
	}
	p = skip_leb128(p);	/* augmentation data length */
	for (const char *a = aug + 1; *a; a++) {
		int size;

		switch (*a) {
		case 'R':
			return *p;
		case 'P':
			size = enc_size(*p);
			if (size < 0) {
				return -1;
			}
			p += 1 + size;
			break;
		case 'L':
			p++;
			break;
		case 'S':
		case 'B':
			break;
		default:
			return -1;
		}
	}
	return 0;
}

uintptr_t object_function_start(const struct object *o, uintptr_t addr)
{
	const unsigned char *h = o->eh_frame_hdr, *table, *fde;
	uint32_t count, lo, hi, fde_len;
	int32_t entry[2], cie_off;
	int ptr_size, size, enc;
	uintptr_t initial;
	uint64_t range;

	/* The layout every GNU, gold, lld and mold link writes. */
	if (!h || h[0] != 1 || h[1] == DW_EH_PE_omit || h[2] != DW_EH_PE_udata4
			|| h[3] != DW_EH_PE_datarel_sdata4) {
		return 0;
	}
	ptr_size = enc_size(h[1]);
	if (ptr_size < 0) {
		return 0;
	}
	memcpy(&count, h + 4 + ptr_size, 4);
	table = h + 4 + ptr_size + 4;
	/* The last entry whose initial location is at or before addr. */
	lo = 0;
	hi = count;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		memcpy(entry, table + (size_t) mid * 8, 8);
		if ((uintptr_t) h + (intptr_t) entry[0] <= addr) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	if (lo == 0) {
		return 0;
	}
	memcpy(entry, table + (size_t) (lo - 1) * 8, 8);
	initial = (uintptr_t) h + (intptr_t) entry[0];
	fde = h + entry[1];
	memcpy(&fde_len, fde, 4);
	memcpy(&cie_off, fde + 4, 4);
	if (fde_len == 0 || fde_len == 0xffffffffu || cie_off == 0) {
		return 0;
	}
	enc = cie_fde_encoding(fde + 4 - cie_off);
	size = enc < 0 ? -1 : enc_size((unsigned char) enc);
	if (size < 0) {
		return 0;
	}
	range = read_unsigned(fde + 8 + size, size);
	return addr < initial + range ? initial : 0;
}

/* ---- the objects loaded with the program ---------------------------- */

static int enter_startup(struct dl_phdr_info *info, size_t size, void *data)
{
	uintptr_t lo = UINTPTR_MAX, hi = 0;
	const ElfW(Dyn) *dyn = NULL;
	const void *eh = NULL;
	const struct object *o;

	(void) size;
	(void) data;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t a = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type == PT_LOAD) {
			if (a < lo) {
				lo = a;
			}
			if (a + ph->p_memsz > hi) {
				hi = a + ph->p_memsz;
			}
		} else if (ph->p_type == PT_DYNAMIC) {
			dyn = (const ElfW(Dyn) *) a;
		} else if (ph->p_type == PT_GNU_EH_FRAME) {
			eh = (const void *) a;
		}
	}
	if (hi == 0) {
		return 0;
	}
#ifdef HAVE_DL_FIND_OBJECT
	(void) dyn;
	(void) eh;
	o = object_at(lo);
#else
	o = object_enter(NULL, lo, hi, info->dlpi_addr, info->dlpi_name, dyn, eh);
#endif
	if (o) {
		__atomic_store_n(&((struct object *) o)->startup, 1, __ATOMIC_RELAXED);
	}
	return 0;
}

void objects_init(void)
{
	int saved = errno;

	dl_iterate_phdr(enter_startup, NULL);
	errno = saved;
}
