def roster(r): pass
cadre_detail=export=template=import_upload=import_job=import_confirm=roster
