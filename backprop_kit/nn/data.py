"""Two moons, chapter 8's toy data set, drawn with numpy from a seed (nothing is downloaded);
chapter 9's, ``two_moons()``, is also stored here bit for bit, for a Python without numpy."""

from __future__ import annotations

import base64
import struct
from typing import Any

from backprop_kit.nn.dimensions import check_seed, real_number, whole_number

__all__ = ["two_moons"]

MAX_POINTS = 100_000
STORED = (100, 0.1, 1337)  # two_moons(): chapter 9's points, as numpy draws them (a test checks)
_STORED_LABELS = 0x8B4A127719199DC5F15D7B44A  # bit i set: point i has label +1
# base85 of the 200 little-endian doubles x0, y0, x1, y1, ... (one line: it is data)
_STORED_X = "i)RLW#s=0u$~m|!?BVb~V5IqIBWmJ5RzL92$@$#Bi`g`86>0Fl^N7P<k<gMqV3&RyjPsYjkMAEtpTM_20{Tj)1g-Kvkk``|pFgg@hqXDem~HPr5qiN`i(St@p4yVwNGZENzND?btTfHPoXTM(9s%UPhJJ~(e@*E>#bRVG+3xGV@70rUYoO3SHS7-dn)}SZCH%xB%oXuJ6h_%zSY^UL9G|PNtXJPZ{{2Von|SfRxQV>BkdD4T;zNMX(tH3w_q|k`*>250=qR?N=RW{IU_nN?*+terH$EIak7eM$7R7H!Hn8bGm%qc$ugk1IBG#O;0iW7G(dZek;i|Sj##B_Pf<U}K2l)y#^2qQ%Hjlo=QYz)YX*8RIdrJL34t-4eU`x+G+eSk_;t}z`iDONRgtyy2*DowiH(UQdfOy-5cb#-UPUTDWa8%Jh?ck59ahmKuG^VDKLVJ?GGCLg(wp^q?`^X8D>lgq)$l>b&cB;@n6P%b<?NG`;1bzi=hAhFqFWShqtPk)%0~(CV`a`Hc07Ch_WMlL{XCs4mN|@KbU^z<<tSIY0lRzpaeX8R>C89_`8`l9qHUVyabuZmNc5C(g%rEOdW(8_@<^bS7^jw(s0%YnxZ9Slk0;k(Q{1var4?EjGvCIg)gO=<+=Itu8!$kQ%oCr|jZ3Vl(OHq|X0WbbP{yE@<c?z4qWNh~YPXqfu6KEX4b`8qENmof{<fzL(O5~T#a3RA#1F2yk(1q4NLOfWj7^S(tkgBlpfN_Yw<Z~K8!)ob2oypG`Avg6uh{sj;29Mjn`$UWu_<Zd@ufE5vkgwxEzkCOMuUqUtn9DFNX-?%o4zT)+pqb;p(L8RgBlYD!u!@jF`0SxS%z?rSy1UaqH-kvM%=Yg;wb9olDtgqvI~uzLqXqsy0VNb*`24m%rnauxK%(%!bCjt%(P7R%JaK{BvTM;lK~fb;;f>h8pCA8UlzQYp%hMG7HlNqOM==LQEDGp9dZ|k$!gAuj`a4F4t}50)5J9$;G;QTS=6&Rru>ZzCgXxTIN3ifep-zzVoxS-#x=5;D=Mvh#YNdci=r)PJld~7^@T=877V~xocrV~Tr<pQBUYhJb4UqrB(H-x<+8?yqD>S-4mNv8L@S@;9x)Qxn?IhU0;szw1XLG1O_L;`mABxaFAPo=EW1j54SQGxfx|P>I^Bv^=3UcE=nIkbS!#LzWuH__2;xh8TG}%-XexTn!>pJ7)=REvBs0E=h)ys#!h!$AX@iOke%p<=}iCx)0fC?*<jXvr>UDaL=HO=WiB9VoNhSA4A-eDzIiOsaXnJ4oYhJ*7zlm>r40*BzgP+f>R-DBlH7!7mC(h}uA&2J2Sazfm{9iJ;Ft&r?LsWC<0Sd{WVgI7G&iFVgNe>4g>DB|uvuo-AufwkSgx=Jfm@15d54K7AC?V;4aassQqsdxE5emV65Ooq<Cpef9K1XR#JSvEx6Y0d9H6z^@RKE&fcnowSGiCEyj3rE;+S5)>tBc~linGWK=sPw<NeK6iXEH4w|bI91ghB;qjhvx3TzcUY&mW8@MgtlP5$Mowz8fdxyX7JxX?vM^G6UqNSttXPYd0XE<_rd9~`ibbj1E)7XSTE*3w}%L}N1^GzN1E48%xvO6I%mpa;<o!gs8=7#!HK3nquj&*mtft$j@Ls=f|~F@m5ZM1pp)dk&<8u{R_NtFzJAyfyvydlDHT&`uomS%Z(Ip^l6BF){O*VTHS6y`#SFZ^CA0BAMi$_RnGf8*asmGjwh67jn@L2Jj|B5SThjzzTf+7~n3qeUz(3W$So0swRR^9wFA<zr5+3nC<f3uIQ-1G11eZK}JSwxl`1L3~y6E{oE%_&pNCwQmCfIk)oaXaCWX9*UOXQnB8Qe`l?IHa?I51Y-djr)!SNk-sb0p<IxGAul-rwNAk})O%WV6D*%fSHI%p~zYqNrE>LTr&g)EkE=8mz%TtHYyjrtZo=2yx47d-3l-LV7R5(_OGX_U}~DZ?5e>+q-<qwJg)W<aYBh&dBaRf)uPFSkLf3A+~Xgf05$9"  # noqa: E501


def two_moons(n: int = 100, noise: float = 0.1, seed: int | None = 1337) -> tuple[Any, Any]:
    """Two interleaving half circles, drawn as ``sklearn.datasets.make_moons`` does: n // 2
    points on ``(cos t, sin t)``, the rest on ``(1 - cos t, 0.5 - sin t)``, t evenly spaced in
    [0, π], Gaussian noise of standard deviation ``noise`` added, shuffled; all from
    ``np.random.default_rng(seed)``.

    Shapes: X (n, 2), y (n,): -1.0 for the upper arc, +1.0 for the lower. Without numpy only
    ``two_moons()`` works (stored): X a list of n [x, y] lists, y a list of n labels.
    """
    n = whole_number(n, "two_moons: n", 2, MAX_POINTS)
    noise = real_number(noise, "two_moons: noise", strict=False)
    if noise >= 10:
        raise ValueError(f"two_moons: noise must be a number in [0, 10), got {noise!r}")
    seed = check_seed(seed, "two_moons")
    try:
        import numpy as np
    except ImportError:
        if (n, noise, seed) != STORED:
            raise ImportError(
                f"two_moons({n}, {noise}, {seed}) needs numpy; without it only two_moons() "
                f"(chapter 9's {STORED[0]} points, stored) works"
            ) from None
        return stored_moons()
    rng = np.random.default_rng(seed)
    n_out = n // 2
    outer, inner = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n - n_out)
    x = np.concatenate([np.cos(outer), 1 - np.cos(inner)])
    y = np.concatenate([np.sin(outer), 1 - np.sin(inner) - 0.5])
    X = np.stack([x, y], axis=1) + rng.normal(scale=noise, size=(n, 2))
    labels = np.concatenate([np.zeros(n_out), np.ones(n - n_out)]) * 2 - 1  # 0/1 -> -1/+1
    order = rng.permutation(n)
    return X[order], labels[order]


def stored_moons() -> tuple[list[list[float]], list[float]]:
    """``two_moons()`` as plain lists, from the numbers stored above (no numpy)."""
    flat = struct.unpack(f"<{2 * STORED[0]}d", base64.b85decode(_STORED_X))
    X = [list(flat[i : i + 2]) for i in range(0, len(flat), 2)]
    return X, [1.0 if _STORED_LABELS >> i & 1 else -1.0 for i in range(STORED[0])]
