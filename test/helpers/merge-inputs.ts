/** A function whose file and name are markup and terminal escapes, running for 40 ms. */
export const HOSTILE_TRACE =
  '# pyflame-trace v1 clock=boot_ns\n' +
  '1000000\t7\t7\tfunction__entry\t/t/<script>alert(1)</script>.py\t<img src=x onerror=alert(2)>\x1b]0;pwned\x07\t1\n' +
  '41000000\t7\t7\tfunction__return\t/t/<script>alert(1)</script>.py\t<img src=x onerror=alert(2)>\x1b]0;pwned\x07\t2\n';
