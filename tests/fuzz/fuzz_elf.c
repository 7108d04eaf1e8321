// SPDX-License-Identifier: MIT
/* The ELF loader on hostile images, into 4 MiB of fake guest RAM. */
#include <elf.h>
#include <string.h>

#include "core/elf_load.h"
#include "core/guest_mem.h"
#include "tests/fuzz/fuzz.h"

static uint8_t ram[4u << 20];

struct image {
	Elf64_Ehdr eh;
	Elf64_Phdr ph[2];
	uint8_t code[64];
};

/* What the guest build links: text, then data with a bss. */
static void image_good(struct image *im)
{
	memset(im, 0, sizeof(*im));
	memcpy(im->eh.e_ident, ELFMAG, SELFMAG);
	im->eh.e_ident[EI_CLASS] = ELFCLASS64;
	im->eh.e_ident[EI_DATA] = ELFDATA2LSB;
	im->eh.e_type = ET_EXEC;
	im->eh.e_machine = EM_X86_64;
	im->eh.e_entry = 0x100000;
	im->eh.e_phoff = offsetof(struct image, ph);
	im->eh.e_phentsize = sizeof(Elf64_Phdr);
	im->eh.e_phnum = 2;
	im->ph[0] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_X,
		.p_offset = offsetof(struct image, code), .p_paddr = 0x100000,
		.p_filesz = 64, .p_memsz = 4096 };
	im->ph[1] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W,
		.p_offset = 0, .p_paddr = 0x101000, .p_filesz = 64,
		.p_memsz = 8192 };
}

unsigned fuzz_seeds(const struct fuzz_seed **out)
{
	static const char *const names[] = {
		"two-segments", "segment-past-ram", "filesz-over-memsz",
		"no-segments", "elf32-header",
	};
	enum { N = sizeof(names) / sizeof(names[0]) };
	static struct image im[N];
	static struct fuzz_seed seeds[N];

	for (unsigned i = 0; i < N; i++) {
		image_good(&im[i]);
		seeds[i] = (struct fuzz_seed){ &im[i], sizeof(im[i]),
					       names[i] };
	}
	im[1].ph[1].p_paddr = sizeof(ram) - 4096;	/* bss runs off */
	im[2].ph[0].p_filesz = 8192;
	im[2].ph[0].p_memsz = 64;
	im[3].eh.e_phnum = 0;
	im[4].eh.e_ident[EI_CLASS] = ELFCLASS32;
	*out = seeds;
	return N;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct guest_mem gm;
	struct elf_image img;
	char err[256];

	guest_mem_layout(&gm, ram, sizeof(ram));
	elf_load(&gm, data, size, 0x100000, &img, err, sizeof(err));
	return 0;
}
