/* Invoices and receipts as PDF, drawn with cairo's PDF surface. The
 * document is the one src/db/documents.c read and src/core/document.c
 * checked; nothing here computes an amount. Files are written to
 * PATH.part and renamed, so a reader never sees half a PDF. */
#ifndef BOXOFFICE_APP_PDF_INVOICE_H
#define BOXOFFICE_APP_PDF_INVOICE_H

#include <stdbool.h>
#include <stddef.h>

#include "../core/document.h"

/* An A4 invoice (d->invoice_no > 0). False with why on failure. */
bool pdf_invoice_write(const struct document *d, const char *path, char *why, size_t size);
/* An 80 mm receipt-roll page with the 42-column text receipt. */
bool pdf_receipt_write(const struct document *d, const char *path, char *why, size_t size);

#endif
