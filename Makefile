# A thin wrapper over Meson + Ninja. `make` builds everything into build/:
# the library (shared + static, imc.pc), the CLI build/imc, the Python
# module under build/python. ./dev installs dependencies and runs the jobs.
BUILD ?= build

.PHONY: all test demo bench fuzz install clean

all: $(BUILD)/build.ninja
	ninja -C $(BUILD)

$(BUILD)/build.ninja:
	meson setup $(BUILD)

test:
	./dev test

demo:
	./dev demo

bench:
	./dev bench

fuzz:
	./dev fuzz

install: all
	meson install -C $(BUILD)

clean:
	rm -rf build build-asan build-fuzz
