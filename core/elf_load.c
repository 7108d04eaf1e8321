// SPDX-License-Identifier: MIT
/*
 * ELF64 loader for guest images. Two passes: check every program header
 * first, then copy, so a refused image leaves guest RAM untouched.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOG_SUBSYS "elf"
#include "base/log.h"
#include "core/elf_load.h"
#include "core/guest_mem.h"

#define ELF_MAX_PHDRS	64

static int elf_refuse(char *err, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int elf_refuse(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return ret;
}

static int elf_check_header(const Elf64_Ehdr *eh, size_t len, char *err,
			    size_t errlen)
{
	if (len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG))
		return elf_refuse(err, errlen, -ENOEXEC, "not an ELF file");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return elf_refuse(err, errlen, -ENOEXEC,
				  "not a 64-bit ELF (ELF32 images are for "
				  "QEMU's Multiboot loader)");
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return elf_refuse(err, errlen, -ENOEXEC, "not little-endian");
	if (eh->e_machine != EM_X86_64)
		return elf_refuse(err, errlen, -ENOEXEC,
				  "machine %u is not x86-64", eh->e_machine);
	if (eh->e_type != ET_EXEC)
		return elf_refuse(err, errlen, -ENOEXEC,
				  "not a static executable (type %u)",
				  eh->e_type);
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return elf_refuse(err, errlen, -ENOEXEC,
				  "program header size %u, expected %zu",
				  eh->e_phentsize, sizeof(Elf64_Phdr));
	if (eh->e_phnum == 0 || eh->e_phnum > ELF_MAX_PHDRS)
		return elf_refuse(err, errlen, -ENOEXEC,
				  "%u program headers", eh->e_phnum);
	if (eh->e_phoff > len ||
	    (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > len - eh->e_phoff)
		return elf_refuse(err, errlen, -ENOEXEC,
				  "program headers past the end of the file");
	return 0;
}

int elf_load(struct guest_mem *gm, const void *buf, size_t len,
	     uint64_t min_gpa, struct elf_image *img, char *err, size_t errlen)
{
	const Elf64_Ehdr *eh = buf;
	Elf64_Phdr ph[ELF_MAX_PHDRS];
	bool entry_ok = false;
	unsigned i, j, n = 0;
	int ret;

	memset(img, 0, sizeof(*img));
	img->lowest = UINT64_MAX;
	ret = elf_check_header(eh, len, err, errlen);
	if (ret)
		return ret;

	/* Pass 1: copy each PT_LOAD header out once and check it. */
	for (i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr p;

		memcpy(&p, (const uint8_t *)buf + eh->e_phoff + i * sizeof(p),
		       sizeof(p));
		if (p.p_type != PT_LOAD || p.p_memsz == 0)
			continue;
		if (p.p_filesz > p.p_memsz)
			return elf_refuse(err, errlen, -ENOEXEC,
					  "segment %u: file size %#lx over "
					  "memory size %#lx", i, p.p_filesz,
					  p.p_memsz);
		if (p.p_offset > len || p.p_filesz > len - p.p_offset)
			return elf_refuse(err, errlen, -ENOEXEC,
					  "segment %u: data past the end of "
					  "the file (truncated image?)", i);
		if (p.p_paddr < min_gpa)
			return elf_refuse(err, errlen, -ERANGE,
					  "segment %u at %#lx is below %#lx",
					  i, p.p_paddr, min_gpa);
		if (!guest_mem_ptr(gm, p.p_paddr, p.p_memsz))
			return elf_refuse(err, errlen, -ERANGE,
					  "segment %u [%#lx, +%#lx) is outside "
					  "guest RAM (give the VM more memory?)",
					  i, p.p_paddr, p.p_memsz);
		for (j = 0; j < n; j++) {
			/* Both ranges are in RAM, so the sums fit. */
			if (p.p_paddr < ph[j].p_paddr + ph[j].p_memsz &&
			    ph[j].p_paddr < p.p_paddr + p.p_memsz)
				return elf_refuse(err, errlen, -ENOEXEC,
						  "segments overlap at %#lx",
						  p.p_paddr);
		}
		if ((p.p_flags & PF_X) && eh->e_entry >= p.p_paddr &&
		    eh->e_entry - p.p_paddr < p.p_memsz)
			entry_ok = true;
		ph[n++] = p;
	}
	if (n == 0)
		return elf_refuse(err, errlen, -ENOEXEC, "no loadable segments");
	if (!entry_ok)
		return elf_refuse(err, errlen, -ENOEXEC,
				  "entry point %#lx is not in an executable "
				  "segment", eh->e_entry);

	/* Pass 2: copy the data, zero the rest (bss). */
	for (i = 0; i < n; i++) {
		uint8_t *dst = guest_mem_ptr(gm, ph[i].p_paddr, ph[i].p_memsz);

		memcpy(dst, (const uint8_t *)buf + ph[i].p_offset,
		       ph[i].p_filesz);
		memset(dst + ph[i].p_filesz, 0, ph[i].p_memsz - ph[i].p_filesz);
		if (ph[i].p_paddr < img->lowest)
			img->lowest = ph[i].p_paddr;
		if (ph[i].p_paddr + ph[i].p_memsz > img->highest)
			img->highest = ph[i].p_paddr + ph[i].p_memsz;
	}
	img->entry = eh->e_entry;
	img->nsegs = n;
	return 0;
}

int elf_load_file(struct guest_mem *gm, const char *path, uint64_t min_gpa,
		  struct elf_image *img)
{
	char err[256] = "";
	struct stat st;
	void *buf;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		log_err("guest image %s: %s", path, strerror(errno));
		return ret;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
		log_err("guest image %s: not a regular, non-empty file", path);
		close(fd);
		return -ENOEXEC;
	}
	buf = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (buf == MAP_FAILED) {
		ret = -errno;
		log_err("guest image %s: %s", path, strerror(errno));
		return ret;
	}
	ret = elf_load(gm, buf, st.st_size, min_gpa, img, err, sizeof(err));
	munmap(buf, st.st_size);
	if (ret < 0)
		log_err("guest image %s refused: %s", path, err);
	return ret;
}
