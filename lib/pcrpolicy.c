/* The TPM2 PolicyPCR digest over a predicted PCR 11 (see pcr.h): the one part
 * of the PCR code that needs tss2-mu, to marshal the TPM structures. */
#include <string.h>

#include <tss2/tss2_mu.h>
#include <tss2/tss2_tpm2_types.h>

#include "pcr.h"

int
igos_pcr_policy_digest(int bank, const unsigned char *value, unsigned char pol[32])
{
	/* 32 zero bytes (the fresh session), then the command code, the
	 * selection and the digest of the selected PCR values. */
	unsigned char buf[32 + sizeof(TPM2_CC) + sizeof(TPML_PCR_SELECTION) + 32];
	TPML_PCR_SELECTION sel;
	size_t off = 32;
	TSS2_RC rc;

	if (!igos_pcr_bank_md(bank))
		return igos_seterr("unknown bank %d", bank);
	memset(buf, 0, sizeof(buf));
	memset(&sel, 0, sizeof(sel));
	sel.count = 1;
	sel.pcrSelections[0].hash = igos_pcr_bank_alg(bank);
	sel.pcrSelections[0].sizeofSelect = 3;
	sel.pcrSelections[0].pcrSelect[IGOS_PCR_KERNEL_BOOT / 8] =
		1u << (IGOS_PCR_KERNEL_BOOT % 8);
	rc = Tss2_MU_TPM2_CC_Marshal(TPM2_CC_PolicyPCR, buf, sizeof(buf), &off);
	if (rc == TSS2_RC_SUCCESS)
		rc = Tss2_MU_TPML_PCR_SELECTION_Marshal(&sel, buf, sizeof(buf), &off);
	if (rc != TSS2_RC_SUCCESS)
		return igos_seterr("cannot marshal the PolicyPCR command: TSS2 error 0x%x", rc);
	if (off + 32 > sizeof(buf))
		return igos_seterr("PolicyPCR buffer too small");
	if (igos_digest(EVP_sha256(), value, igos_pcr_bank_size(bank), buf + off) < 0)
		return -1;
	off += 32;
	return igos_digest(EVP_sha256(), buf, off, pol);
}
