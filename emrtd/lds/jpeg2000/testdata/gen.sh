#!/bin/sh
# Regenerates the JPEG 2000 samples and their references with OpenJPEG's
# tools (Debian libopenjp2-tools) from two small synthetic portraits
# (p96.ppm, p96.pgm: 96 × 120, 8 bits) drawn with ImageMagick. Each sample
# NAME.j2k/.jp2 has a reference NAME.png written by opj_decompress; the
# tests compare the decoder's output with it. portrait.jp2 (420 × 525,
# lossy 9/7, about 21 KB) is the size of a passport photo, for the
# benchmark. Not run by the tests.
set -e
SRC=${SRC:-/tmp}
enc() { out=$1; shift; in=$1; shift; opj_compress -i "$in" -o "$out" "$@" >/dev/null; opj_decompress -i "$out" -o "${out%.*}.png" >/dev/null; }
enc grey_lossless.j2k   $SRC/p96.pgm
enc grey_97.j2k         $SRC/p96.pgm -I -r 10
enc grey_n0.j2k         $SRC/p96.pgm -n 1
enc grey_allmodes.j2k   $SRC/p96.pgm -M 63 -r 20,4,1
enc grey_sop_eph.j2k    $SRC/p96.pgm -SOP -EPH -r 10,1
enc grey_cb32x8.j2k     $SRC/p96.pgm -b 32,8 -I -r 6
enc grey_offset_tiles.j2k $SRC/p96.pgm -d 3,5 -t 33,41 -T 1,2
enc rgb_lossless.jp2    $SRC/p96.ppm
enc rgb_97.jp2          $SRC/p96.ppm -I -r 15
enc rgb_53_layers.j2k   $SRC/p96.ppm -r 40,10,2
enc rgb_rlcp.j2k        $SRC/p96.ppm -p RLCP -r 30,8
enc rgb_rpcl.j2k        $SRC/p96.ppm -p RPCL -c [32,32],[32,32],[32,32] -r 30,5
enc rgb_pcrl_97.j2k     $SRC/p96.ppm -p PCRL -c [64,64],[32,32] -I -r 20
enc rgb_cprl.j2k        $SRC/p96.ppm -p CPRL -c [32,32] -r 12
enc rgb_tiles_97.jp2    $SRC/p96.ppm -t 40,48 -I -r 12
enc rgb_modes_97.j2k    $SRC/p96.ppm -M 62 -I -r 8
enc rgb_no_mct.j2k      $SRC/p96.ppm -mct 0 -r 10
opj_compress -i $SRC/portrait.ppm -o portrait.jp2 -I -r 30 >/dev/null
# Tiny samples (24 × 20) seed the fuzzer: small inputs mutate fast.
tiny() { out=$1; shift; in=$1; shift; opj_compress -i "$in" -o "$out" "$@" >/dev/null; }
tiny fuzz_grey.j2k $SRC/tiny.pgm -n 3 -b 8,8
tiny fuzz_rgb_97.jp2 $SRC/tiny.ppm -n 2 -I -r 4 -b 8,8
tiny fuzz_modes.j2k $SRC/tiny.pgm -n 2 -M 63 -r 8,2 -b 8,8 -SOP -EPH
tiny fuzz_tiles_rpcl.j2k $SRC/tiny.ppm -n 2 -t 12,10 -p RPCL -c [8,8],[8,8],[8,8] -b 4,4
