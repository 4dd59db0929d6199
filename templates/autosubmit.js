// Submits the form_post response without a click.
document.getElementById("form-post").submit();
